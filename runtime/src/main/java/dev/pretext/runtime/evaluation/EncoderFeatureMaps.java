package dev.pretext.runtime.evaluation;

import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.EncoderExport;
import dev.pretext.runtime.config.SegmentationSettings;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.training.NativeMemory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * An encoder's feature maps of whole scenes, for the segmentation probe: the encoder module
 * created under {@value GraphBuilder#ENCODER_SCOPE} in a graph of its own, applied to the scenes
 * as {@link EncoderModule#MAIN}, its chosen stages as outputs. A trained encoder's weights reach it
 * by name, as they reach the classification graph; its batch norm is calibrated on train scenes.
 *
 * <p>The encoder is applied to the scene itself, whatever a method's own representation path does
 * with images (CPC's grid of patches): for dense evaluation a convolutional encoder is slid over
 * the whole image, the usual way to read a patch encoder densely.
 */
public final class EncoderFeatureMaps implements DenseFeatures {

  private final SameDiff graph;
  private final String input;
  private final List<String> maps;
  private final RepresentationGraph representation;

  private EncoderFeatureMaps(SameDiff graph, String input, List<String> maps, RepresentationGraph representation) {
    this.graph = graph;
    this.input = input;
    this.maps = maps;
    this.representation = representation;
  }

  /**
   * The encoder for scenes of {@code shape}, weights freshly initialized from {@code seed}, reading
   * the stages {@code settings} names.
   *
   * @throws IllegalArgumentException if the encoder gives no feature maps (an MLP) or lacks a stage
   */
  public static EncoderFeatureMaps build(Encoder encoder, ImageShape shape, SegmentationSettings settings, long seed) {
    Nd4j.getRandom().setSeed(seed);
    GraphBuilder builder = GraphBuilder.create(seed);
    SDVariable images = builder.placeholder(RepresentationGraph.INPUT, shape.batchShape());
    EncoderModule module = encoder.create(builder.scope(GraphBuilder.ENCODER_SCOPE), shape);
    EncoderModule.EncoderOutput out = module.apply(images, shape, EncoderModule.MAIN);
    if (out.featureMaps().isEmpty()) {
      throw new IllegalArgumentException("the encoder gives no feature maps (it has no spatial stages), so"
          + " the segmentation protocol cannot read it; use a convolutional encoder or switch "
          + SegmentationSettings.BLOCK + ".enabled off");
    }
    List<String> names = settings.stageIndices(out.featureMaps().size()).stream()
        .map(i -> out.featureMaps().get(i).name()).toList();
    RepresentationGraph rep = new RepresentationGraph(builder.sameDiff(), images.name(),
        out.representation().name(), module.representationSize(), builder.batchStatistics());
    return new EncoderFeatureMaps(builder.sameDiff(), images.name(), names, rep);
  }

  /** This encoder with every weight of {@code trained}'s encoder copied in by name. */
  public EncoderFeatureMaps withEncoderOf(SameDiff trained) {
    EncoderExport.copyEncoderArrays(trained, graph);
    return this;
  }

  /** Batch-norm statistics averaged over seeded batches of {@code scenes} ("precise BN"). */
  public EncoderFeatureMaps calibrate(ImageSet scenes, int batches, int batchSize, long seed) {
    FrozenEncoder.of(representation).calibrate(scenes, batches, batchSize, seed);
    return this;
  }

  @Override
  public List<INDArray> of(INDArray images) {
    graph.getVariable(GraphBuilder.TRAINING_FLAG).setArray(Nd4j.scalar(DataType.FLOAT, 0f));
    long n = images.size(0);
    // A batch of one would make batch-norm's (unused) batch reductions fail in M2.1: pad it.
    INDArray feed = n == 1 ? Nd4j.concat(0, images, images) : images;
    Map<String, INDArray> out = graph.output(new HashMap<>(Map.of(input, feed)), maps.toArray(String[]::new));
    List<INDArray> result = maps.stream().map(name -> {
      INDArray map = out.get(name);
      return (n == 1 ? map.get(NDArrayIndex.interval(0, 1)) : map).castTo(DataType.FLOAT).dup('c');
    }).toList();
    NativeMemory.releaseGarbageIfGrown();
    return result;
  }
}
