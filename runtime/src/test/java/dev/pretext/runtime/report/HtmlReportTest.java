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
