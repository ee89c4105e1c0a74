/** The README's Spring snippet as compiled code, checked against the README by {@code ReadmeStarterSnippetTest}. */
package io.stepwise.examples.readme;
