package dev.pretext.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile report of {@link HtmlReportTest} opened in headless Chromium (Debian package
 * {@code chromium}; skipped without it): nothing in it runs, the hostile name shows as text, and
 * every image on the page is an embedded figure.
 */
class HtmlReportInBrowserTest {

  @TempDir Path dir;

  private static Path chromium() {
    for (String name : List.of("chromium", "chromium-browser")) {
      for (String folder : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
        Path candidate = Path.of(folder, name);
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  /** The page's DOM after it loaded and had five seconds of virtual time to run anything it would. */
  private String renderedDom(Path browser, Path page) throws Exception {
    Path profile = Files.createDirectories(dir.resolve("profile"));
    List<String> command = new ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
        "--virtual-time-budget=5000", "--dump-dom", page.toUri().toString()));
    Process p = new ProcessBuilder(command).redirectError(dir.resolve("chromium.log").toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    boolean ended = p.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    String dom = new String(out, StandardCharsets.UTF_8);
    assumeTrue(ended && p.exitValue() == 0 && dom.contains("</html>"),
        () -> "chromium did not render the page: " + tail(dir.resolve("chromium.log")));
    return dom;
  }

  private static String tail(Path log) {
    try (Stream<String> lines = Files.lines(log)) {
      List<String> all = lines.toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - 5), all.size()));
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  @Test
  void aHostileMethodNameRendersAsTextAndNothingRuns() throws Exception {
    Path browser = chromium();
    assumeTrue(browser != null, "chromium is not installed (apt-get install -y chromium)");
    Path page = HtmlReportTest.hostileReport(dir);

    String dom = renderedDom(browser, page);

    // The hostile strings set data-pwned on the body or change the title if any of them runs.
    assertThat(dom.contains("data-pwned=\"")).as("a script in the report ran").isFalse();
    assertThat(dom.contains("<script")).as("the DOM holds a script element").isFalse();
    assertThat(dom.contains("<title>Pretext: &lt;/title&gt;&lt;img src=x onerror=\"document.body"))
        .as("the title is the suite's name as text").isTrue();
    assertThat(dom.contains("<td>&lt;img src=x onerror=alert(1)&gt;</td>")).as("the name shows as text").isTrue();
    Matcher img = Pattern.compile("<img [^>]*>").matcher(dom);
    int images = 0;
    while (img.find()) {
      assertThat(img.group()).contains("src=\"data:image/png;base64,");
      images++;
    }
    assertThat(images).isEqualTo(5);
  }
}
