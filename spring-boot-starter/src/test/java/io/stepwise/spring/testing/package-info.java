/** Test fixtures shared with the reference service's tests (published as the starter's test jar). */
package io.stepwise.spring.testing;
