/**
 * Spring Boot auto-configuration for Stepwise: named models loaded from properties ({@link StepwiseProperties}),
 * one {@link ServedModel} bean per model in a {@link ModelRegistry}, a session {@link io.stepwise.spring.store
 * state store}, a health indicator, Micrometer metrics and graceful shutdown. Spring lives in this module only;
 * the runtime jar stays ONNX-Runtime-only.
 */
package io.stepwise.spring;
