package dev.pretext.runtime.evaluation;

import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.EncoderExport;
import dev.pretext.runtime.config.SegmentationSettings;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.data.SegmentationSet;
import dev.pretext.runtime.training.LabelledTask;
import dev.pretext.toolkit.graph.Ops;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fine-tuned segmenter's training graph: the encoder under {@value GraphBuilder#ENCODER_SCOPE}
 * (trained weights copied in by name, or its own initialization), applied to whole scenes as
 * {@link EncoderModule#MAIN}; a 1 × 1 convolution on each chosen feature map, whose logits are
 * upsampled bilinearly to the scene ({@link Bilinear}'s half-pixel centres, as two matrix products
 * SameDiff can differentiate) and summed with one bias — the frozen probe's classifier on the
 * concatenated upsampled maps, since upsampling is linear; per-pixel softmax cross-entropy,
 * averaged over the batch's labelled pixels. Every variable is trained, the encoder's included.
 *
 * <p>Pixels labelled {@link SegmentationSet#IGNORE} get an all-zero target row: their term of the
 * loss and its gradient are exactly zero, and they are not counted in the mean.
 */
public final class SegmentationFineTuneTask implements LabelledTask {

  /** The placeholder of the scenes, {@code [N, C, H, W]}. */
  public static final String IMAGES = RepresentationGraph.INPUT;
  /** The placeholder of the targets {@code [N, K, H, W]}: one-hot per labelled pixel, over their count. */
  public static final String TARGETS = "pixel_targets";

  private final SegmentationSet scenes;
  private final SegmentationSettings settings;
  private final List<long[]> mapShapes;
  private final SameDiff pretrained;
  private String logits;

  /**
   * @param scenes the train scenes, whose masks the batches' targets come from
   * @param settings the protocol's settings: which {@code stages} are read
   * @param mapShapes each read map's {@code [C, h, w]} on these scenes, in the order of {@code stages}
   * @param pretrained a graph holding the encoder's trained weights under the encoder scope (every
   *     one must be found); null: the encoder's own initialization
   */
  public SegmentationFineTuneTask(SegmentationSet scenes, SegmentationSettings settings, List<long[]> mapShapes,
      SameDiff pretrained) {
    if (settings.stages().size() != mapShapes.size()) {
      throw new IllegalArgumentException(settings.stages().size() + " stages but " + mapShapes.size()
          + " map shapes");
    }
    this.scenes = scenes;
    this.settings = settings;
    this.mapShapes = List.copyOf(mapShapes);
    this.pretrained = pretrained;
  }

  /** Name of the logits {@code [N, K, H, W]} at the scenes' resolution, in the graph built last. */
  public String logitsName() {
    return logits;
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    SameDiff sd = g.sameDiff();
    int classes = scenes.classCount();
    SDVariable images = g.placeholder(IMAGES, shape.batchShape());
    SDVariable targets = g.placeholder(TARGETS, -1, classes, shape.height(), shape.width());
    EncoderModule module = encoder.create(g.scope(GraphBuilder.ENCODER_SCOPE), shape);
    EncoderModule.EncoderOutput out = module.apply(images, shape, EncoderModule.MAIN);
    if (out.featureMaps().isEmpty()) {
      throw new IllegalArgumentException("the encoder gives no feature maps, so it cannot be fine-tuned to segment");
    }
    List<Integer> stages = settings.stageIndices(out.featureMaps().size());
    if (pretrained != null) {
      EncoderExport.copyEncoderArrays(pretrained, sd);
    }
    GraphBuilder head = g.scope("segmentation_head");
    long width = mapShapes.stream().mapToLong(s -> s[0]).sum();
    SDVariable sum = null;
    for (int i = 0; i < stages.size(); i++) {
      long[] s = mapShapes.get(i);
      // He-normal over the concatenated maps, as a dense layer on them would be.
      // Named by position in `stages`: [1, -2] on a two-stage encoder reads one map twice.
      SDVariable w = head.normalVariable("map" + i + "_w", Math.sqrt(2.0 / width), s[0], classes);
      SDVariable map = out.featureMaps().get(stages.get(i));
      // 1 × 1 convolution: [B, C, h, w] → [B·h·w, C] · [C, K] → [B, K, h, w]
      SDVariable low = map.permute(0, 2, 3, 1).reshape(-1, s[0]).mmul(w)
          .reshape(-1, s[1], s[2], classes).permute(0, 3, 1, 2);
      SDVariable up = upsample(sd, low, classes, (int) s[1], (int) s[2], shape.height(), shape.width());
      sum = sum == null ? up : sum.add(up);
    }
    SDVariable bias = head.variable("b", Nd4j.zeros(DataType.FLOAT, classes));
    SDVariable scores = sum.add(bias.reshape(1, classes, 1, 1));
    logits = scores.name();
    SDVariable loss = targets.mul(Ops.logSoftmax(sd, scores, 1)).sum().neg();
    return new TaskGraph(loss.name(), out.representation().name(), module.representationSize());
  }

  /**
   * Bilinear upsampling of {@code x [B, K, h, w]} to {@code [B, K, outH, outW]} with {@link
   * Bilinear}'s weights (PyTorch's {@code align_corners=False}): columns, then rows, each a product
   * with a constant matrix.
   */
  static SDVariable upsample(SameDiff sd, SDVariable x, long channels, int h, int w, int outH, int outW) {
    if (h == outH && w == outW) {
      return x;
    }
    SDVariable columns = sd.constant(Nd4j.create(new Bilinear(w, outW).matrix()));
    SDVariable rows = sd.constant(Nd4j.create(new Bilinear(h, outH).matrix()));
    SDVariable a = x.reshape(-1, w).mmul(columns); // [B·K·h, outW]
    a = a.reshape(-1, h, outW).permute(0, 2, 1).reshape(-1, h).mmul(rows); // [B·K·outW, outH]
    return a.reshape(-1, channels, outW, outH).permute(0, 1, 3, 2);
  }

  /** The step's inputs: the scenes and their targets (see {@link #targets}). */
  @Override
  public Map<String, INDArray> prepareLabelled(ImageSet data, int[] indices) {
    if (data.size() != scenes.size()) {
      throw new IllegalArgumentException("trained on " + data.size() + " images, but the masks are of "
          + scenes.size() + " scenes");
    }
    return Map.of(IMAGES, data.batch(indices), TARGETS,
        targets(scenes.masksOf(indices), indices.length, scenes.classCount(), scenes.shape()));
  }

  /**
   * One-hot targets {@code [N, K, H, W]} of masks ({@code N·H·W} labels), each labelled pixel's
   * one weighted 1 / (labelled pixels of the batch), so that the summed loss is their mean; an
   * ignored pixel's row is zero. A batch with no labelled pixel has a loss of 0.
   */
  static INDArray targets(int[] masks, int n, int classes, ImageShape shape) {
    int plane = shape.height() * shape.width();
    long labelled = java.util.Arrays.stream(masks).filter(l -> l != SegmentationSet.IGNORE).count();
    float weight = labelled == 0 ? 0f : 1f / labelled;
    float[] t = new float[Math.multiplyExact(masks.length, classes)];
    for (int b = 0; b < n; b++) {
      for (int p = 0; p < plane; p++) {
        int label = masks[b * plane + p];
        if (label != SegmentationSet.IGNORE) {
          t[(b * classes + label) * plane + p] = weight;
        }
      }
    }
    return Nd4j.create(t, new long[] {n, classes, shape.height(), shape.width()}, 'c');
  }
}
