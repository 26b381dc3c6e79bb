package dev.pretext.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.ImageSet;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class HtmlReportTest {

  @TempDir Path dir;

  private static ResultEntry entry(String name, String kind, double top1, double top1At1pct) {
    Map<String, Map<String, Double>> m = new LinkedHashMap<>();
    m.put("linear_probe", Map.of("top1", top1, "top5", 0.99));
    m.put("linear_probe_1pct", Map.of("top1", top1At1pct, "top5", 0.9));
    boolean method = kind.equals("method");
    return new ResultEntry(name, kind, name, 1, ResultEntry.OK, null, method ? 12 : 0, method ? 3L : null,
        method ? 50.0 : null, method ? List.of(2.0) : null, method ? List.of(2.0, 1.5, 1.0) : null, m);
  }

  @Test
  void reportIsSelfContainedAndShowsEveryEntryAndFigure() throws Exception {
    ImageSet train = FashionMnist.load(FashionMnist.Source.EMBEDDED, null).train().stratifiedSubset(20, 1);
    ImageSet test = FashionMnist.load(FashionMnist.Source.EMBEDDED, null).test().stratifiedSubset(5, 1);
    INDArray trainX = train.images().reshape(train.size(), -1);
    INDArray testX = test.images().reshape(test.size(), -1);
    Figures.neighbours(train, trainX, test, testX, 8, dir.resolve(HtmlReport.neighboursFigure("rotation", 1)));
    Figures.pca(testX, test.labels(), test.classNames(), "pca", dir.resolve(HtmlReport.pcaFigure("rotation", 1)));

    // A method's own visuals (writeVisuals) are embedded too.
    Path visuals = Files.createDirectories(dir.resolve("visuals/rotation-seed1"));
    ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB), "png", visuals.resolve("grid.png").toFile());
    List<ResultEntry> entries = List.of(entry("raw-pixels", "baseline", 0.84, 0.70),
        entry("random-init", "baseline", 0.82, 0.65),
        entry("rotation", "method", 0.86, 0.72).withPretext(Map.of("rotation_top1", 0.975)));
    Path html = HtmlReport.write(dir, "s", Map.of("dl4j", "1.0.0-M2.1"), entries,
        Map.of("linear_probe_1pct", 0.01, "linear_probe", 1.0));

    String page = Files.readString(html);
    assertThat(page).contains("<td>rotation</td>").contains("<td>raw-pixels</td>").contains("0.8600");
    // Every image is embedded: nothing refers to a file or the network.
    Matcher src = Pattern.compile("src=\"([^\"]*)\"").matcher(page);
    int images = 0;
    while (src.find()) {
      assertThat(src.group(1)).startsWith("data:image/png;base64,");
      images++;
    }
    assertThat(images).isEqualTo(6);
    assertThat(page).contains("Pretext tasks on held-out pretraining images").contains("rotation top1")
        .contains("0.9750").contains("alt=\"rotation grid.png\"");
    assertThat(page).doesNotContain("http://").doesNotContain("https://");
    for (String f : List.of("linear-probe.png", "pretraining-loss.png", "label-efficiency.png")) {
      BufferedImage png = ImageIO.read(dir.resolve("figures").resolve(f).toFile());
      assertThat(png.getWidth()).as(f).isEqualTo(800);
    }
    BufferedImage nn = ImageIO.read(dir.resolve(HtmlReport.neighboursFigure("rotation", 1)).toFile());
    assertThat(nn.getHeight()).isEqualTo(10 * 56); // one row per class
    try (var files = Files.walk(dir)) {
      assertThat(files.map(Path::toString)).noneMatch(f -> f.endsWith(".tmp"));
    }
  }

  /** The name the issue tried: rendered as markup it would run a script. */
  static final String HOSTILE = "<img src=x onerror=alert(1)>";
  /** A string that, were it markup, would leave a mark a browser test can see. */
  static final String PROBE = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">";

  /**
   * A report where every string from a suite, a plugin, a path or a results.json is hostile: the
   * suite's name, an entry's name (also in figure paths and alt texts), kind, failure reason and
   * pretext metric, the plugins' names and versions.
   */
  static Path hostileReport(Path dir) throws Exception {
    ImageSet train = FashionMnist.load(FashionMnist.Source.EMBEDDED, null).train().stratifiedSubset(20, 1);
    ImageSet test = FashionMnist.load(FashionMnist.Source.EMBEDDED, null).test().stratifiedSubset(5, 1);
    INDArray trainX = train.images().reshape(train.size(), -1);
    INDArray testX = test.images().reshape(test.size(), -1);
    Figures.neighbours(train, trainX, test, testX, 8, dir.resolve(HtmlReport.neighboursFigure(HOSTILE, 1)));
    // Where the runner writes an entry's visuals: under the stem of its name (EntryFiles).
    Path visuals = Files.createDirectories(dir.resolve("visuals").resolve(EntryFiles.of(HOSTILE, 1)));
    ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB), "png",
        visuals.resolve(PROBE.replace('/', '_') + ".png").toFile());
    // As another run may have written them into a shared folder's results.json.
    ResultEntry odd = new ResultEntry("odd", PROBE, "t", 1, ResultEntry.OK, null, 0, null, null, null, null,
        Map.of("linear_probe", Map.of("top1", 0.5, "top5", 0.9)));
    List<ResultEntry> entries = List.of(
        entry(HOSTILE, "method", 0.86, 0.72).withPretext(Map.of(PROBE, 0.5)),
        ResultEntry.failed(PROBE, "method", "t", 1, "<script>document.body.setAttribute('data-pwned','2')</script>"),
        odd);
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("plugin " + PROBE, "1.0\"><script>document.title='pwned'</script>");
    return HtmlReport.write(dir, "</title>" + PROBE, versions, entries, Map.of("linear_probe", 1.0));
  }

  @Test
  void everyStringFromASuiteAPluginOrAPathIsEscaped() throws Exception {
    String page = Files.readString(hostileReport(dir));

    assertThat(page).doesNotContain(HOSTILE).doesNotContain(PROBE).doesNotContain("<script")
        .contains("<td>&lt;img src=x onerror=alert(1)&gt;</td>")
        .contains("<h3>&lt;img src=x onerror=alert(1)&gt; (seed 1)</h3>")
        .contains("<title>Pretext: &lt;/title&gt;&lt;img src=x onerror=&quot;document.body.setAttribute(&#39;data-pwned&#39;,&#39;1&#39;)&quot;&gt;</title>");
    // Only the markup the report writes itself: every tag one of its own, every image an embedded figure.
    Set<String> tags = new TreeSet<>();
    Matcher tag = Pattern.compile("<\\s*/?\\s*([a-zA-Z][a-zA-Z0-9]*)").matcher(page);
    while (tag.find()) {
      tags.add(tag.group(1).toLowerCase(java.util.Locale.ROOT));
    }
    assertThat(tags).isSubsetOf("html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "table", "tr",
        "th", "td", "p", "div", "img");
    Matcher img = Pattern.compile("<img [^>]*>").matcher(page);
    int images = 0;
    while (img.find()) {
      assertThat(img.group()).matches("<img alt=\"[^\"<>]*\" src=\"data:image/png;base64,[A-Za-z0-9+/=]+\">");
      images++;
    }
    assertThat(images).isEqualTo(5);
  }

  @Test
  void aFullDiskLeavesTheEarlierReportWholeNamesTheFileAndNoTemporary() throws Exception {
    assumeThat(Files.exists(Path.of("/dev/full"))).as("Linux /dev/full").isTrue();
    List<ResultEntry> entries = List.of(entry("raw-pixels", "baseline", 0.84, 0.70));
    Path html = HtmlReport.write(dir, "s", Map.of(), entries, Map.of());
    String earlier = Files.readString(html);
    // The report's temporary leads to a device that answers every write with ENOSPC.
    Path tmp = dir.resolve("report.html." + ProcessHandle.current().pid() + ".tmp");
    Files.createSymbolicLink(tmp, Path.of("/dev/full"));

    assertThatThrownBy(() -> HtmlReport.write(dir, "s", Map.of(), entries, Map.of()))
        .isInstanceOf(WriteFailedException.class)
        .hasMessage("no space left on device writing " + html);
    assertThat(html).hasContent(earlier);
    assertThat(tmp).doesNotExist();
  }
}
