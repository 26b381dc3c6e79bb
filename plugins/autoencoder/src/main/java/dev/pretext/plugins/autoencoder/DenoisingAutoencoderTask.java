package dev.pretext.plugins.autoencoder;

import com.typesafe.config.Config;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.Encoder;
import dev.pretext.api.GraphRunner;
import dev.pretext.api.ImageShape;
import dev.pretext.api.Loss;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.Settings;
import dev.pretext.toolkit.graph.ConvDecoder;
import dev.pretext.toolkit.graph.Ops;
import dev.pretext.toolkit.metrics.ImageErrors;
import dev.pretext.toolkit.visual.ImageGrid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Denoising autoencoder (Vincent et al., 2008): the encoder sees a corrupted image, a linear layer
 * maps its representation h to a small code, and a convolutional decoder reconstructs the clean
 * image from the code. With corruption {@code none} it is a plain autoencoder. The protocols
 * evaluate h (not the code) of clean images.
 */
final class DenoisingAutoencoderTask implements PretextTask {

  /** Placeholder of the corrupted images the encoder sees while training. */
  static final String NOISY = "noisy";
  /** Placeholder of the clean images the decoder must reproduce. */
  static final String CLEAN = "clean";
  /** The reconstruction in [0, 1], sigmoid of the decoder's logits. */
  static final String RECONSTRUCTION = "reconstruction";
  /** The decoder's logits or their sigmoid, whichever the loss takes, against the clean images. */
  private static final Map<String, Set<Loss.Input>> ROLES = Map.of(
      "prediction", Set.of(Loss.Input.LOGITS, Loss.Input.PROBABILITIES),
      "target", Set.of(Loss.Input.TARGETS));

  private final Corruption corruption;
  private final int codeSize;
  private final List<Integer> decoderChannels;
  private final Loss loss;
  private final boolean lossTakesLogits;
  private final long seed;
  private String noisyName;
  private String reconstructionName;

  DenoisingAutoencoderTask(ComponentContext context) {
    Config c = context.config();
    String path = context.configPath();
    this.corruption = Corruption.from(c.getConfig("corruption"), path + ".corruption");
    Settings settings = Settings.of(context);
    this.codeSize = settings.intIn("code-size", 1, 65_536);
    this.decoderChannels = List.copyOf(c.getIntList("decoder.channels"));
    String problem = ConvDecoder.problem(decoderChannels, context.imageShape());
    if (problem != null) {
      throw settings.bad("decoder.channels", problem);
    }
    this.loss = context.components().createLoss(c, path, "denoising-autoencoder", ROLES,
        "a reconstruction loss such as mse or binary-cross-entropy");
    this.lossTakesLogits = loss.consumes().get("prediction") == Loss.Input.LOGITS;
    this.seed = context.seed();
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    SameDiff sd = g.sameDiff();
    SDVariable noisy = g.placeholder(NOISY, shape.batchShape());
    SDVariable clean = g.placeholder(CLEAN, shape.batchShape());
    Encoder.Representation h = encoder.build(g.scope("encoder"), noisy, shape);
    GraphBuilder decoder = g.scope("decoder");
    SDVariable code = Ops.linear(decoder, "code", h.variable(), h.size(), codeSize);
    SDVariable logits = ConvDecoder.build(decoder, code, codeSize, decoderChannels, shape);
    SDVariable reconstruction = sd.nn().sigmoid(g.name(RECONSTRUCTION), logits);
    SDVariable value = loss.build(g.scope("loss"),
        Map.of("prediction", lossTakesLogits ? logits : reconstruction, "target", clean));
    noisyName = noisy.name();
    reconstructionName = reconstruction.name();
    return new TaskGraph(value.name(), h.variable().name(), h.size());
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    return Map.of(NOISY, corruption.apply(images, random), CLEAN, images);
  }

  /** Rows input / corrupted / reconstruction, in {@code reconstructions.png}. */
  @Override
  public List<Path> writeVisuals(GraphRunner runner, SameDiff graph, TaskGraph taskGraph, INDArray images,
      Path folder) throws IOException {
    if (reconstructionName == null) {
      throw new IllegalStateException("writeVisuals before build");
    }
    INDArray corrupted = corruption.apply(images, new Random(seed));
    INDArray reconstruction = reconstruct(runner, graph, corrupted);
    return List.of(ImageGrid.write(folder.resolve("reconstructions.png"),
        List.of(images, corrupted, reconstruction)));
  }

  /**
   * Reconstruction error on held-out images, next to two trivial predictors: returning the
   * corrupted input unchanged (absent for a plain autoencoder, where it is 0) and predicting the
   * held-out set's mean image. MSE per pixel in [0, 1] and the PSNR it means.
   */
  @Override
  public Map<String, Double> pretextMetrics(GraphRunner runner, SameDiff graph, TaskGraph taskGraph,
      INDArray images) {
    if (reconstructionName == null) {
      throw new IllegalStateException("pretextMetrics before build");
    }
    INDArray corrupted = corruption.apply(images, new Random(seed));
    INDArray reconstruction = reconstruct(runner, graph, corrupted);
    double mse = ImageErrors.mse(reconstruction, images);
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("mse", mse);
    metrics.put("psnr_db", ImageErrors.psnrDb(mse));
    if (corruption.type() != Corruption.Type.NONE) {
      metrics.put("mse_corrupted_input", ImageErrors.mse(corrupted, images));
    }
    INDArray meanImage = images.mean(true, 0).broadcast(images.shape());
    metrics.put("mse_mean_image", ImageErrors.mse(meanImage, images));
    return metrics;
  }

  /**
   * The reconstruction of {@code corrupted}, batch norm on the batches' own statistics as in
   * training: the running statistics were calibrated on whole, clean images, and the shifted
   * statistics of corrupted inputs would distort the picture.
   */
  private INDArray reconstruct(GraphRunner runner, SameDiff graph, INDArray corrupted) {
    return runner.inferWithBatchStatistics(graph, Map.of(noisyName, corrupted), reconstructionName)
        .get(reconstructionName);
  }
}
