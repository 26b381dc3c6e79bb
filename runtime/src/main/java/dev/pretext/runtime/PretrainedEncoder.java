package dev.pretext.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.report.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A pretrained encoder on its own, as written by {@code pretext export-encoder}: a zip holding the
 * encoder's graph ({@code encoder.fb}, batch norm calibrated) and {@code encoder.json} (input and
 * output names, image shape, representation size, where it came from).
 *
 * <pre>{@code
 * PretrainedEncoder encoder = PretrainedEncoder.load(Path.of("simclr.zip"));
 * INDArray h = encoder.embed(images);   // images [N, C, H, W] in [0, 1] -> h [N, D]
 * }</pre>
 */
public final class PretrainedEncoder {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SameDiff graph;
  private final String input;
  private final String output;
  private final ImageShape shape;
  private final long size;

  private PretrainedEncoder(SameDiff graph, String input, String output, ImageShape shape, long size) {
    this.graph = graph;
    this.input = input;
    this.output = output;
    this.shape = shape;
    this.size = size;
  }

  /** Reads an exported encoder. */
  public static PretrainedEncoder load(Path file) throws IOException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry meta = zip.getEntry("encoder.json");
      ZipEntry graphEntry = zip.getEntry("encoder.fb");
      if (meta == null || graphEntry == null) {
        throw new IOException(file + " is not an exported Pretext encoder (needs encoder.json and encoder.fb)");
      }
      JsonNode m = JSON.readTree(zip.getInputStream(meta));
      Path tmp = Files.createTempFile("pretext-encoder", ".fb");
      try (InputStream in = zip.getInputStream(graphEntry)) {
        Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        SameDiff graph = SameDiff.load(tmp.toFile(), false);
        JsonNode s = m.path("image_shape");
        return new PretrainedEncoder(graph, m.path("input").asText(), m.path("output").asText(),
            new ImageShape(s.get(0).asInt(), s.get(1).asInt(), s.get(2).asInt()), m.path("size").asLong());
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Writes {@code graph} (an encoder-only graph in inference mode) and its description as a zip. */
  static void write(Path file, SameDiff graph, Map<String, Object> description) throws IOException {
    Path tmp = Files.createTempFile("pretext-encoder", ".fb");
    try {
      graph.save(tmp.toFile(), false);
      AtomicFiles.writeStream(file, out -> {
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
          zip.putNextEntry(new ZipEntry("encoder.json"));
          zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(description));
          zip.closeEntry();
          zip.putNextEntry(new ZipEntry("encoder.fb"));
          Files.copy(tmp, zip);
          zip.closeEntry();
        }
      });
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The representation {@code [N, D]} of images {@code [N, C, H, W]} with values in [0, 1]. */
  public INDArray embed(INDArray images) {
    if (images.rank() != 4 || images.size(1) != shape.channels() || images.size(2) != shape.height()
        || images.size(3) != shape.width()) {
      throw new IllegalArgumentException("expected images [N, " + shape + "], got "
          + java.util.Arrays.toString(images.shape()));
    }
    graph.getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    return graph.output(Map.of(input, images), output).get(output).dup();
  }

  /** The representation width D. */
  public long size() {
    return size;
  }

  /** The shape of one input image. */
  public ImageShape imageShape() {
    return shape;
  }
}
