package dev.pretext.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretext.runtime.data.IdxReader;
import dev.pretext.runtime.data.IdxWriter;
import dev.pretext.runtime.plugins.PluginJarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provenance end to end: results.json records per entry every component's plugin jar (name,
 * version, SHA-256) and the data files' sizes and SHA-256; {@code --resume} refuses a folder whose
 * entries came from another jar or data file, naming the entry, the jar or file and both hashes,
 * unless {@code --allow-mixed-provenance}.
 */
class ProvenanceTest {

  @TempDir Path dir;

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /** A real plugin jar with one encoder, {@code flat} (a linear layer of {@code width} units). */
  private static Path encoderJar(Path jar, String version, int width) {
    return PluginJarBuilder.plugin("jarred").version(version)
        .source("jarred.JarredPlugin", """
            package jarred;
            import dev.pretext.api.*;
            import dev.pretext.api.graph.*;
            import dev.pretext.toolkit.graph.*;
            import java.util.List;
            import org.nd4j.autodiff.samediff.SDVariable;
            public final class JarredPlugin implements PretextPlugin {
              @Override public List<ComponentFactory<Encoder>> encoders() {
                return List.of(ComponentFactory.of("flat", "one linear layer", ctx -> new Encoder() {
                  @Override public Representation build(GraphBuilder g, SDVariable images, ImageShape shape) {
                    SDVariable x = Ops.linear(g, "fc", images.reshape(-1, shape.size()), shape.size(), WIDTH);
                    return new Representation(x, WIDTH);
                  }
                }));
              }
            }
            """.replace("WIDTH", Integer.toString(width)))
        .entry("jarred.JarredPlugin")
        .referenceConf("pretext.encoder.flat {}\n")
        .writeTo(jar);
  }

  /** Raw Fashion-MNIST-shaped IDX files: 60 train and 30 test images. */
  private Path fashionFolder() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("fm"));
    for (String split : new String[] {"train", "t10k"}) {
      int count = split.equals("train") ? 60 : 30;
      int[] labels = new int[count];
      Arrays.setAll(labels, i -> i % 10);
      byte[] pixels = new byte[count * 28 * 28];
      Arrays.setAll(labels, i -> i % 10);
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (byte) (labels[i / 784] * 20 + i % 7);
      }
      Files.write(folder.resolve(split + "-images-idx3-ubyte"),
          IdxWriter.encodeImages(new IdxReader.Images(count, 28, 28, pixels)));
      Files.write(folder.resolve(split + "-labels-idx1-ubyte"), IdxWriter.encodeLabels(labels));
    }
    return folder;
  }

  private static Map<String, JsonNode> entries(Path out) throws Exception {
    Map<String, JsonNode> byName = new HashMap<>();
    new ObjectMapper().readTree(out.resolve("results.json").toFile()).path("entries")
        .forEach(e -> byName.put(e.path("name").asText() + "-seed" + e.path("seed").asText(), e));
    return byName;
  }

  @Test
  void entriesRecordTheirJarsAndDataAndResumeRefusesAnotherJarOrDataFileUnlessAllowed() throws Exception {
    Path plugins = dir.resolve("plugins");
    Path jar = encoderJar(plugins.resolve("jarred.jar"), "1.0.0", 8);
    Path data = fashionFolder();
    Path suite = Files.writeString(dir.resolve("p.conf"), """
        suite {
          name = p
          data { source = full, path = "%s" }
          encoder { type = flat }
          training { epochs = 1, batch-size = 30 }
          methods = [ brightness ]
          baselines = [raw-pixels, random-init]
          evaluation { calibration-batches = 1, label-fractions = [], knn.k = 5 }
        }
        """.formatted(data));
    Path out = dir.resolve("out");
    String[] run = {"--plugins", plugins.toString(), "run", suite.toString(), "--out", out.toString()};

    CliCapture.Result first = CliCapture.run(dir, run);
    assertThat(first.code()).as(first.err()).isZero();
    String jarSha = sha256(jar);
    JsonNode brightness = entries(out).get("brightness-seed1").path("provenance");
    assertThat(brightness.path("components")).hasSize(2);
    JsonNode encoder = brightness.path("components").get(0);
    assertThat(encoder.path("kind").asText()).isEqualTo("encoder");
    assertThat(encoder.path("type").asText()).isEqualTo("flat");
    assertThat(encoder.path("plugin").asText()).isEqualTo("jarred");
    assertThat(encoder.path("version").asText()).isEqualTo("1.0.0");
    assertThat(encoder.path("jar").asText()).isEqualTo("jarred.jar");
    assertThat(encoder.path("sha256").asText()).isEqualTo(jarSha);
    // The test plugin is a classpath plugin without a jar: its class folder, hashed by listing.
    JsonNode task = brightness.path("components").get(1);
    assertThat(task.path("plugin").asText()).isEqualTo("test-fakes");
    assertThat(Path.of(task.path("jar").asText())).isDirectory();
    assertThat(task.path("sha256").asText()).hasSize(64);
    Path testImages = data.resolve("t10k-images-idx3-ubyte").toAbsolutePath();
    assertThat(brightness.path("data")).hasSize(4);
    JsonNode file = brightness.path("data").get(2);
    assertThat(file.path("block").asText()).isEqualTo("suite.data");
    assertThat(file.path("file").asText()).isEqualTo(testImages.toString());
    assertThat(file.path("bytes").asLong()).isEqualTo(Files.size(testImages));
    assertThat(file.path("sha256").asText()).isEqualTo(sha256(testImages));
    assertThat(file.has("key")).isFalse();
    assertThat(entries(out).get("raw-pixels-seed1").path("provenance").path("components")).isEmpty();
    assertThat(entries(out).get("random-init-seed1").path("provenance").path("components")).hasSize(1);

    // Another build of the encoder's jar: resuming would mix the two.
    String[] resume = Arrays.copyOf(run, run.length + 3);
    resume[run.length] = "--resume";
    resume[run.length + 1] = "--set";
    resume[run.length + 2] = "suite.seeds=[1,2]";
    Files.delete(jar);
    encoderJar(jar, "1.0.1", 8);
    String newJarSha = sha256(jar);
    assertThat(newJarSha).isNotEqualTo(jarSha);
    CliCapture.Result refused = CliCapture.run(dir, resume);
    assertThat(refused.code()).as(refused.err()).isEqualTo(ExitCodes.BAD_CONFIG);
    assertThat(refused.err())
        .contains("entry 'brightness' (seed 1) was produced by plugin jarred 1.0.0 from jarred.jar (SHA-256 "
            + jarSha + "); this run would use 1.0.1 from jarred.jar (SHA-256 " + newJarSha + ")")
        .contains("entry 'random-init' (seed 1) was produced by plugin jarred 1.0.0")
        .doesNotContain("'raw-pixels'")
        .contains("--allow-mixed-provenance").contains("Nothing was trained");
    assertThat(entries(out)).doesNotContainKey("brightness-seed2");

    // Told to, it resumes; every entry keeps the jar it was produced with.
    String[] allowed = Arrays.copyOf(resume, resume.length + 1);
    allowed[resume.length] = "--allow-mixed-provenance";
    CliCapture.Result mixed = CliCapture.run(dir, allowed);
    assertThat(mixed.code()).as(mixed.err()).isZero();
    assertThat(entries(out).get("brightness-seed1").path("provenance").path("components").get(0)
        .path("sha256").asText()).isEqualTo(jarSha);
    assertThat(entries(out).get("brightness-seed2").path("provenance").path("components").get(0)
        .path("sha256").asText()).isEqualTo(newJarSha);

    // A data file rewritten in place, same size: refused, naming the file and both hashes.
    byte[] bytes = Files.readAllBytes(testImages);
    String before = sha256(testImages);
    bytes[bytes.length - 1] ^= 1;
    Files.write(testImages, bytes);
    CliCapture.Result changedData = CliCapture.run(dir, resume);
    assertThat(changedData.code()).as(changedData.err()).isEqualTo(ExitCodes.BAD_CONFIG);
    assertThat(changedData.err()).contains("entry 'raw-pixels' (seed 1) read " + testImages + " (" + bytes.length
        + " bytes, SHA-256 " + before + "); this run reads " + testImages + " (" + bytes.length + " bytes, SHA-256 "
        + sha256(testImages) + ")");
    assertThat(List.of(changedData.err().split("\n"))).filteredOn(l -> l.contains("(seed 2) read")).hasSize(3);
  }

  @Test
  void libraryJarsOfAPluginFolderAreRecordedAndAChangedOneIsCaughtByResume() throws Exception {
    Path folder = dir.resolve("plugins/jarred");
    Path jar = encoderJar(folder.resolve("jarred.jar"), "1.0.0", 8);
    Path library = PluginJarBuilder.library()
        .source("jarred.lib.Helper", "package jarred.lib; public class Helper { public int n() { return 1; } }")
        .writeTo(folder.resolve("helper.jar"));
    Path suite = Files.writeString(dir.resolve("lib.conf"), """
        suite {
          name = lib
          data { train-limit = 100, test-limit = 50 }
          encoder { type = flat }
          training { epochs = 1, batch-size = 50 }
          methods = [ brightness ]
          baselines = []
          evaluation { calibration-batches = 1, label-fractions = [], knn.k = 5 }
        }
        """);
    Path out = dir.resolve("out");
    String[] run = {"--plugins", dir.resolve("plugins").toString(), "run", suite.toString(), "--out", out.toString()};

    CliCapture.Result first = CliCapture.run(dir, run);
    assertThat(first.code()).as(first.err()).isZero();
    String librarySha = sha256(library);
    JsonNode components = entries(out).get("brightness-seed1").path("provenance").path("components");
    JsonNode encoder = components.get(0);
    assertThat(encoder.path("jar").asText()).isEqualTo("jarred.jar");
    assertThat(encoder.path("sha256").asText()).isEqualTo(sha256(jar));
    assertThat(encoder.path("libraries")).hasSize(1);
    assertThat(encoder.path("libraries").get(0).path("jar").asText()).isEqualTo("helper.jar");
    assertThat(encoder.path("libraries").get(0).path("sha256").asText()).isEqualTo(librarySha);
    // The test plugin is on the class path: no folder, no bundled library.
    assertThat(components.get(1).path("libraries").isArray()).isTrue();
    assertThat(components.get(1).path("libraries")).isEmpty();

    // Another build of the library, the plugin's own jar unchanged: resuming would mix the two.
    Files.delete(library);
    PluginJarBuilder.library()
        .source("jarred.lib.Helper", "package jarred.lib; public class Helper { public int n() { return 2; } }")
        .writeTo(library);
    String newLibrarySha = sha256(library);
    assertThat(newLibrarySha).isNotEqualTo(librarySha);
    String[] resume = Arrays.copyOf(run, run.length + 3);
    resume[run.length] = "--resume";
    resume[run.length + 1] = "--set";
    resume[run.length + 2] = "suite.seeds=[1,2]";
    CliCapture.Result refused = CliCapture.run(dir, resume);

    assertThat(refused.code()).as(refused.err()).isEqualTo(ExitCodes.BAD_CONFIG);
    assertThat(refused.err())
        .contains("entry 'brightness' (seed 1) was produced by plugin jarred 1.0.0 with library helper.jar (SHA-256 "
            + librarySha + ") in its plugin folder; this run would use helper.jar (SHA-256 " + newLibrarySha + ")")
        .doesNotContain("from jarred.jar").contains("--allow-mixed-provenance").contains("Nothing was trained");
    assertThat(entries(out)).doesNotContainKey("brightness-seed2");

    // A library added to the folder is a difference too.
    Path added = PluginJarBuilder.library().source("jarred.more.Extra", "package jarred.more; public class Extra {}")
        .writeTo(folder.resolve("extra.jar"));
    CliCapture.Result refusedAgain = CliCapture.run(dir, resume);
    assertThat(refusedAgain.code()).as(refusedAgain.err()).isEqualTo(ExitCodes.BAD_CONFIG);
    assertThat(refusedAgain.err()).contains("entry 'brightness' (seed 1) was produced by plugin jarred 1.0.0"
        + " without library extra.jar in its plugin folder; this run would use extra.jar (SHA-256 " + sha256(added) + ")");

    // Told to, it resumes; each entry keeps the libraries it was produced with.
    String[] allowed = Arrays.copyOf(resume, resume.length + 1);
    allowed[resume.length] = "--allow-mixed-provenance";
    CliCapture.Result mixed = CliCapture.run(dir, allowed);
    assertThat(mixed.code()).as(mixed.err()).isZero();
    assertThat(entries(out).get("brightness-seed1").path("provenance").path("components").get(0).path("libraries"))
        .hasSize(1);
    JsonNode seed2 = entries(out).get("brightness-seed2").path("provenance").path("components").get(0).path("libraries");
    assertThat(seed2).hasSize(2);
    assertThat(seed2.get(0).path("jar").asText()).isEqualTo("extra.jar");
    assertThat(seed2.get(1).path("sha256").asText()).isEqualTo(newLibrarySha);
  }
}
