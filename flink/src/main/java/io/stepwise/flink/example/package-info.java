/**
 * The example job: many sensor series from a CSV file in, forecasts and anomaly scores out — on an embedded mini
 * cluster ({@code make flink-demo}) or on a real cluster from the job jar ({@code make flink-job-jar}).
 */
package io.stepwise.flink.example;
