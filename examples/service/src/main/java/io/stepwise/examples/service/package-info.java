/**
 * The reference service: the Stepwise HTTP API v1 (docs/service-api.md) on the Spring Boot starter — text
 * generation streamed as Server-Sent Events, sessions kept in the starter's state store, forecasts,
 * classification, model listing — with API keys, request limits, RFC 9457 problem details and a playground page.
 */
package io.stepwise.examples.service;
