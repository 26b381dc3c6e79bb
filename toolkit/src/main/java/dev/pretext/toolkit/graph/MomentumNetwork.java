package dev.pretext.toolkit.graph;

import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A network that follows part of the trained graph by an exponential moving average and is never
 * trained itself: MoCo's key encoder, BYOL's target network. It is its own {@link SameDiff}, built
 * like the trained part with the same variable names, because SameDiff trains every variable of a
 * graph; its weights are constants there, so nothing can give them a gradient, and {@link #follow}
 * updates them in place.
 *
 * <p>Its training flag stays 1: batch norm always uses the statistics of the batch it is given,
 * as MoCo's key encoder and BYOL's target network do.
 *
 * <p>Used by the moco and byol plugins; in the toolkit, which the runtime shares with every plugin.
 */
public final class MomentumNetwork {

  /** Builds the network's layers into a graph, from its input placeholder to its output. */
  public interface Layers {
    SDVariable build(GraphBuilder graph, SDVariable input);
  }

  private final SameDiff graph;
  private final String input;
  private final String output;
  private final List<String> parameters;

  private MomentumNetwork(SameDiff graph, String input, String output, List<String> parameters) {
    this.graph = graph;
    this.input = input;
    this.output = output;
    this.parameters = parameters;
  }

  /**
   * Builds {@code layers} into a new graph and starts it from the current weights of the
   * variables with the same names in {@code trained}.
   *
   * @param shape the shape of one input image
   * @throws IllegalStateException if a weight of the copy has no variable of the same name and
   *     shape in {@code trained}
   */
  public static MomentumNetwork copyOf(SameDiff trained, ImageShape shape, Layers layers) {
    // The seed is irrelevant: every weight is overwritten by the trained graph's below.
    GraphBuilder g = GraphBuilder.create(0);
    SDVariable in = g.placeholder("input", shape.batchShape());
    SDVariable out = layers.build(g, in);
    SameDiff sd = g.sameDiff();
    List<SDVariable> weights = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() != VariableType.VARIABLE) {
        continue;
      }
      SDVariable source = trained.hasVariable(v.name()) ? trained.getVariable(v.name()) : null;
      if (source == null || source.getVariableType() != VariableType.VARIABLE
          || !Arrays.equals(source.getArr().shape(), v.getArr().shape())) {
        throw new IllegalStateException("the momentum network's weight '" + v.name() + "' "
            + Arrays.toString(v.getArr().shape()) + " has no trained counterpart of that shape");
      }
      v.getArr().assign(source.getArr());
      weights.add(v);
      names.add(v.name());
    }
    sd.convertToConstants(weights);
    names.sort(null);
    return new MomentumNetwork(sd, in.name(), out.name(), List.copyOf(names));
  }

  /** The network's own graph (its weights are constants). */
  public SameDiff graph() {
    return graph;
  }

  /** Names of the weights that follow the trained graph, sorted. */
  public List<String> parameters() {
    return parameters;
  }

  /** The network's output for {@code images}, a copy the caller may keep. */
  public INDArray output(INDArray images) {
    withoutArrayReuse(graph);
    INDArray result = graph.output(Map.of(input, images), output).get(output).dup();
    // Without reuse, the step's intermediate arrays are freed only once collected: collect now,
    // or native memory grows by the size of a forward pass every step.
    Nd4j.getMemoryManager().invokeGc();
    return result;
  }

  /**
   * Makes the calling thread's inference session allocate a fresh array for every op. M2.1's
   * default memory manager (an array cache) hands out arrays that are still in use: repeated
   * {@code output} calls on linear → (batch norm →) ReLU → linear return different, wrong values
   * (first seen from the second call on). Without reuse every call matches a plain computation.
   */
  public static void withoutArrayReuse(SameDiff sd) {
    long thread = Thread.currentThread().getId();
    InferenceSession session = sd.getSessions().get(thread);
    if (session == null || !(session.getMmgr() instanceof NoOpMemoryMgr)) {
      session = new InferenceSession(sd);
      session.setMmgr(new NoOpMemoryMgr());
      sd.getSessions().put(thread, session);
    }
  }

  /** One EMA step towards {@code trained}: {@code θ ← m·θ + (1 − m)·θ_trained}, in place. */
  public void follow(SameDiff trained, double momentum) {
    for (String name : parameters) {
      INDArray own = graph.getVariable(name).getArr();
      INDArray target = trained.getVariable(name).getArr();
      own.muli(momentum).addi(target.mul(1 - momentum));
    }
  }

  /** Writes the weights (name and array, in name order) to {@code file}. */
  public void save(Path file) throws IOException {
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(parameters.size());
      for (String name : parameters) {
        out.writeUTF(name);
        Nd4j.write(graph.getVariable(name).getArr(), out);
      }
    }
  }

  /** Restores weights written by {@link #save} into this network, which must have the same ones. */
  public void load(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      int count = in.readInt();
      if (count != parameters.size()) {
        throw new IOException(file + " holds " + count + " weights, the network has " + parameters.size());
      }
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        INDArray saved = Nd4j.read(in);
        if (!parameters.contains(name)) {
          throw new IOException(file + " holds weight '" + name + "', which the network does not have");
        }
        INDArray own = graph.getVariable(name).getArr();
        if (!Arrays.equals(own.shape(), saved.shape())) {
          throw new IOException(file + ": weight '" + name + "' is " + Arrays.toString(saved.shape())
              + ", the network's is " + Arrays.toString(own.shape()));
        }
        own.assign(saved);
      }
    }
  }
}
