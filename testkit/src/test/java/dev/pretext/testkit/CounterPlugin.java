package dev.pretext.testkit;

import dev.pretext.api.ComponentFactory;
import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextPlugin;
import dev.pretext.api.PretextTask;
import dev.pretext.api.StepContext;
import dev.pretext.api.graph.GraphBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A task whose loss reads state kept outside the graph (a count of steps, fed by beforeStep,
 * advanced by afterStep, checkpointed), to show the conformance checks fail on a task that
 * forgets its state: {@code counter} keeps it, {@code forgetful-counter} does not restore it.
 */
public final class CounterPlugin implements PretextPlugin {

  @Override
  public List<ComponentFactory<PretextTask>> tasks() {
    return List.of(
        ComponentFactory.of("counter", "the representation pulled towards a target that moves each step",
            ctx -> new CounterTask(true)),
        ComponentFactory.of("forgetful-counter", "counter whose loadState restores nothing",
            ctx -> new CounterTask(false)));
  }

  static final class CounterTask implements PretextTask {
    static final String IMAGES = "images";
    static final String TARGET = "target";
    private final boolean restores;
    private long steps;

    CounterTask(boolean restores) {
      this.restores = restores;
    }

    @Override
    public TaskGraph build(GraphBuilder graph, Encoder encoder, ImageShape shape) {
      SDVariable images = graph.placeholder(IMAGES, shape.batchShape());
      SDVariable target = graph.placeholder(TARGET, 1, 1);
      EncoderModule module = encoder.create(graph.scope(GraphBuilder.ENCODER_SCOPE), shape);
      SDVariable h = module.apply(images, shape, EncoderModule.MAIN).representation();
      SDVariable difference = h.sub(target);
      SDVariable loss = difference.mul(difference).mean("counter_loss");
      return new TaskGraph(loss.name(), h.name(), module.representationSize());
    }

    @Override
    public Map<String, INDArray> prepare(INDArray images, Random random) {
      return Map.of(IMAGES, images);
    }

    @Override
    public Map<String, INDArray> beforeStep(Map<String, INDArray> prepared, StepContext step) {
      Map<String, INDArray> fed = new HashMap<>(prepared);
      fed.put(TARGET, Nd4j.valueArrayOf(new long[] {1, 1}, 0.1 * steps, DataType.FLOAT));
      return fed;
    }

    @Override
    public void afterStep(StepContext step) {
      steps++;
    }

    @Override
    public void saveState(Path folder) throws IOException {
      Files.writeString(folder.resolve("steps.txt"), Long.toString(steps));
    }

    @Override
    public void loadState(Path folder) throws IOException {
      if (restores) {
        steps = Long.parseLong(Files.readString(folder.resolve("steps.txt")));
      }
    }
  }
}
