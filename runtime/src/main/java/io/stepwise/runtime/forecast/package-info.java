/**
 * Forecasting with recurrent forecasters: {@link io.stepwise.runtime.forecast.Forecaster} (multi-step forecasts in
 * the series' own units, missing values interpolated, scaling from the model file),
 * {@link io.stepwise.runtime.forecast.ForecastStream} (a live series pushed one observation at a time) and the
 * {@link io.stepwise.runtime.forecast.Forecast} they return. Runs on any {@link io.stepwise.runtime.SessionSource}.
 */
package io.stepwise.runtime.forecast;
