package dev.pretext.runtime.evaluation;

import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.EncoderExport;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The evaluation graph: whole images → the representation the protocols measure, built from the
 * pretext task's {@link PretextTask#representation} in a graph of its own. The encoder sits under
 * {@value GraphBuilder#ENCODER_SCOPE}, as in the training graph, so trained weights reach it by
 * name. One path for the frozen probes, the exported encoder, fine-tuning and the supervised
 * baseline (these two add a head to it with {@link #add}).
 *
 * @param input the placeholder of {@code [N, C, H, W]} images in [0, 1]
 * @param output the representation {@code [N, size]}
 * @param batchStatistics the graph's batch-norm statistics, to calibrate
 */
public record RepresentationGraph(SameDiff graph, String input, String output, long size,
    List<GraphBuilder.BatchStatistic> batchStatistics) {

  /** The name of the images placeholder. */
  public static final String INPUT = "images";

  public RepresentationGraph {
    batchStatistics = List.copyOf(batchStatistics);
  }

  /**
   * The representation of {@code task} (null: the encoder's own, for baselines) for images of
   * {@code shape}, with weights freshly initialized from {@code seed}.
   */
  public static RepresentationGraph build(Encoder encoder, PretextTask task, ImageShape shape, long seed) {
    GraphBuilder builder = GraphBuilder.create(seed);
    SDVariable images = builder.placeholder(INPUT, shape.batchShape());
    Encoder.Representation rep = add(builder, encoder, task, images, shape);
    return new RepresentationGraph(builder.sameDiff(), images.name(), rep.variable().name(), rep.size(),
        builder.batchStatistics());
  }

  /**
   * Adds the representation of {@code images} to a graph under construction: the encoder module
   * created under the encoder scope for {@link PretextTask#encoderShape}, then the task's {@link
   * PretextTask#representation} (null task: the module applied to the images, as that default is).
   */
  public static Encoder.Representation add(GraphBuilder builder, Encoder encoder, PretextTask task,
      SDVariable images, ImageShape shape) {
    ImageShape encoderShape = task == null ? shape : task.encoderShape(shape);
    EncoderModule module = encoder.create(builder.scope(GraphBuilder.ENCODER_SCOPE), encoderShape);
    if (task != null) {
      return task.representation(builder, module, images, shape);
    }
    SDVariable h = module.apply(images, shape, EncoderModule.MAIN).representation();
    return new Encoder.Representation(h, module.representationSize());
  }

  /** This graph with every encoder weight and statistic of {@code trained} copied in by name. */
  public RepresentationGraph withEncoderOf(SameDiff trained) {
    EncoderExport.copyEncoderArrays(trained, graph);
    return this;
  }
}
