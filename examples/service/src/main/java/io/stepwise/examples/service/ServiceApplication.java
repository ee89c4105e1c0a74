package io.stepwise.examples.service;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** {@code make serve}: the reference service on every model of a folder ({@code --stepwise.models-dir=models}). */
@SpringBootApplication
@EnableConfigurationProperties(ServiceProperties.class)
public class ServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(ServiceApplication.class, args);
    }
}
