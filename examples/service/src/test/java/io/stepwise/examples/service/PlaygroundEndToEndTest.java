package io.stepwise.examples.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.text.GenerationConfig;
import io.stepwise.runtime.text.TextGenerator;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The playground page in headless Chromium (Debian's chromium and chromium-driver): type a prompt, watch the text
 * stream in, and forecast a series into a chart.
 */
class PlaygroundEndToEndTest extends ServiceTestBase {
    static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver");

    @Test
    void aPromptTypedInThePageStreamsTextInAndASeriesIsForecastIntoAChart(@TempDir Path profile) throws Exception {
        assertThat(Files.isExecutable(Path.of(CHROMIUM))).as(CHROMIUM + " (Debian package chromium)").isTrue();
        assertThat(Files.isExecutable(Path.of(CHROMEDRIVER))).as(CHROMEDRIVER + " (Debian package chromium-driver)")
                .isTrue();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(service, options);
        try {
            browser.get("http://127.0.0.1:" + port + "/");
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            browser.findElement(By.id("apiKey")).sendKeys(KEY);
            WebElement prompt = browser.findElement(By.id("prompt"));
            prompt.clear();
            prompt.sendKeys("The Commission ");
            browser.findElement(By.id("seed")).sendKeys("11");
            WebElement max = browser.findElement(By.id("maxNewTokens"));
            max.clear();
            max.sendKeys("400");
            // Record every partial text the page shows while generating, in the page itself: polling over WebDriver
            // can miss the whole stream on a fast machine.
            ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.stepwiseLengths = [];"
                    + "new MutationObserver(function () {"
                    + "  var g = document.getElementById('generated'), s = document.getElementById('genStatus');"
                    + "  if (g && s && s.textContent.indexOf('generating') === 0 && g.textContent.length > 0) {"
                    + "    window.stepwiseLengths.push(g.textContent.length); }"
                    + "}).observe(document.body, {childList: true, subtree: true, characterData: true});");
            browser.findElement(By.id("generate")).click();

            // Watch the generated text grow while the status says the generation is running.
            Set<Integer> lengthsSeen = new LinkedHashSet<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                String status = browser.findElement(By.id("genStatus")).getText();
                String text = generatedText(browser);
                if (status.startsWith("generating") && !text.isEmpty()) {
                    lengthsSeen.add(text.length());
                }
                if (status.startsWith("done")) {
                    break;
                }
                Thread.sleep(5);
            }
            assertThat(browser.findElement(By.id("genStatus")).getText()).startsWith("done: 400 tokens");
            Object recorded = ((org.openqa.selenium.JavascriptExecutor) browser)
                    .executeScript("return window.stepwiseLengths;");
            for (Object n : (java.util.List<?>) recorded) {
                lengthsSeen.add(((Number) n).intValue());
            }
            assertThat(lengthsSeen).as("partial texts seen while streaming").isNotEmpty();
            String expected;
            try (RecurrentModel model = RecurrentModel.load(MODELS.resolve("charlm-rnn.onnx"))) {
                expected = new TextGenerator(model).generate("The Commission ", GenerationConfig.builder()
                        .optTemperature(0.8).optSeed(11).optMaxNewTokens(400).build()).text();
            }
            assertThat(java.util.Collections.min(lengthsSeen)).isLessThan(expected.length());
            assertThat(generatedText(browser)).isEqualTo(expected);

            new Select(browser.findElement(By.id("fcModel"))).selectByValue("co2-rnn");
            new Select(browser.findElement(By.id("series"))).selectByIndex(1);
            WebElement horizon = browser.findElement(By.id("horizon"));
            horizon.clear();
            horizon.sendKeys("12");
            browser.findElement(By.id("forecast")).click();
            wait.until(b -> !b.findElements(By.id("forecastLine")).isEmpty());
            String d = browser.findElement(By.id("forecastLine")).getAttribute("d");
            assertThat(d.split("[ML]").length - 1).as("points: the last observation and 12 forecasts").isEqualTo(13);
            assertThat(browser.findElement(By.id("fcStatus")).getText()).startsWith("12 steps after");
        } finally {
            browser.quit();
        }
    }

    /** textContent, not getText(): WebDriver trims whitespace at the ends of visible text. */
    private static String generatedText(WebDriver browser) {
        java.util.List<WebElement> generated = browser.findElements(By.id("generated"));
        return generated.isEmpty() ? "" : generated.get(0).getAttribute("textContent");
    }
}
