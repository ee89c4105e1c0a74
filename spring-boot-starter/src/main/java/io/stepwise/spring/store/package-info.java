/**
 * Where session states live between requests: the {@link io.stepwise.spring.store.SessionStore} interface, an
 * in-memory store (the embedded default) and a Redis store for several replicas. Every update is conditional on
 * the position the writer read (optimistic concurrency), so two replicas never silently overwrite each other.
 */
package io.stepwise.spring.store;
