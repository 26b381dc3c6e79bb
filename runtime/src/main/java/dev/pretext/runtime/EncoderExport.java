package dev.pretext.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.evaluation.RepresentationGraph;
import dev.pretext.runtime.plugins.PluginRegistry;
import dev.pretext.runtime.report.AtomicFiles;
import dev.pretext.runtime.report.EntryFiles;
import dev.pretext.runtime.training.TrainedMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keeps each trained method's graph in its run folder ({@code encoders/NAME-seedS.fb} + a JSON
 * description) and exports the encoder alone from it: a fresh encoder-only graph built from the
 * encoder settings it trained with (the method's own, else the suite's), with every weight and
 * batch-norm statistic of the trained graph's {@value GraphBuilder#ENCODER_SCOPE} scope copied in
 * by name.
 */
public final class EncoderExport {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The task type recorded for the supervised baseline, which is not a plugin task. */
  static final String SUPERVISED = "supervised";

  private EncoderExport() {}

  static Path graphFile(Path runFolder, String method, long seed) {
    return runFolder.resolve("encoders").resolve(EntryFiles.of(method, seed) + ".fb");
  }

  /**
   * Saves a trained, calibrated method graph and what is needed to rebuild its encoder: the
   * encoder's (the method's own, else the suite's) and the task's type and settings, and the shape
   * of the images it pretrained on.
   */
  static void keep(Path runFolder, Suite.MethodSpec method, long seed, TrainedMethod trained, Suite suite,
      ImageShape shape) throws IOException {
    keep(runFolder, method.name(), method.task().type(),
        method.task().settings().root().render(ConfigRenderOptions.concise()), seed, trained,
        suite.encoderOf(method), shape);
  }

  /**
   * Keeps a supervised baseline's trained encoder under its {@code name}, so that {@code --reevaluate}
   * measures it again instead of training it again, and {@code export-encoder --method NAME} exports it.
   */
  static void keepSupervised(Path runFolder, String name, long seed, TrainedMethod trained,
      Suite.ComponentSpec encoder, ImageShape shape) throws IOException {
    keep(runFolder, name, SUPERVISED, "{}", seed, trained, encoder, shape);
  }

  /** Whether {@code runFolder} keeps the encoder of {@code name} and {@code seed}. */
  static boolean isKept(Path runFolder, String name, long seed) {
    Path graph = graphFile(runFolder, name, seed);
    return Files.exists(graph) && Files.exists(graph.resolveSibling(EntryFiles.of(name, seed) + ".json"));
  }

  private static void keep(Path runFolder, String name, String taskType, String taskSettings, long seed,
      TrainedMethod trained, Suite.ComponentSpec encoder, ImageShape shape) throws IOException {
    Path graph = graphFile(runFolder, name, seed);
    AtomicFiles.write(graph, tmp -> trained.graph().save(tmp.toFile(), false));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("method", name);
    d.put("seed", seed);
    d.put("encoder_type", encoder.type());
    d.put("encoder_settings", encoder.settings().root().render(ConfigRenderOptions.concise()));
    d.put("task_type", taskType);
    d.put("task_settings", taskSettings);
    d.put("image_shape", List.of(shape.channels(), shape.height(), shape.width()));
    d.put("representation", trained.taskGraph().representation());
    // Written last: isKept needs both files, so a crash in between leaves no half-kept encoder.
    AtomicFiles.write(graph.resolveSibling(EntryFiles.of(name, seed) + ".json"),
        tmp -> JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), d));
  }

  /**
   * A kept method's encoder on its own, in inference mode with its calibrated batch norm: {@code
   * input} takes images of {@code shape}, {@code output} is the evaluated representation {@code [N,
   * size]}.
   */
  public record Kept(SameDiff graph, String input, String output, long size, ImageShape shape,
      String encoderType) {}

  /**
   * Writes the encoder of {@code method} (first seed unless given) from {@code runFolder} to
   * {@code out}, loadable with {@link PretrainedEncoder#load}.
   */
  public static Path export(Path runFolder, String method, Long seed, Path out, PluginRegistry plugins)
      throws IOException {
    if (!Files.isDirectory(runFolder)) {
      throw new IllegalArgumentException((Files.exists(runFolder) ? "not a run folder (a file): "
          : "no such run folder: ") + runFolder);
    }
    if (Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + " is a folder; name the file to write, e.g. "
          + out.resolve(method + ".zip"));
    }
    long s = seed != null ? seed : firstSeed(runFolder.resolve("encoders"), method);
    Kept kept = load(runFolder, method, s, plugins);
    Map<String, Object> description = new LinkedHashMap<>();
    description.put("input", kept.input());
    description.put("output", kept.output());
    description.put("size", kept.size());
    description.put("image_shape", List.of(kept.shape().channels(), kept.shape().height(), kept.shape().width()));
    description.put("method", method);
    description.put("seed", s);
    description.put("encoder_type", kept.encoderType());
    description.put("pretext", Versions.pretext());
    PretrainedEncoder.write(out, kept.graph(), description);
    return out;
  }

  /**
   * The encoder of {@code method} and {@code seed} kept in {@code runFolder}, rebuilt on its own
   * for images of the shape it pretrained on.
   */
  public static Kept load(Path runFolder, String method, long seed, PluginRegistry plugins) throws IOException {
    return load(runFolder, method, seed, plugins, null);
  }

  /**
   * As {@link #load(Path, String, long, PluginRegistry)}, for images of {@code input} (null: the
   * pretraining shape). The task is still created for the shape it pretrained on — colorization
   * pretrains on RGB and is evaluated on gray images, which its representation reads too.
   */
  public static Kept load(Path runFolder, String method, long seed, PluginRegistry plugins, ImageShape input)
      throws IOException {
    Path folder = runFolder.resolve("encoders");
    Path graphFile = graphFile(runFolder, method, seed);
    Path meta = folder.resolve(EntryFiles.of(method, seed) + ".json");
    if (!Files.exists(graphFile) || !Files.exists(meta)) {
      throw new IllegalArgumentException("no trained encoder of '" + method + "' (seed " + seed + ") in "
          + folder + "; available: " + available(folder));
    }
    JsonNode d = JSON.readTree(meta.toFile());
    JsonNode sh = d.path("image_shape");
    ImageShape pretrainedOn = new ImageShape(sh.get(0).asInt(), sh.get(1).asInt(), sh.get(2).asInt());
    ImageShape shape = input != null ? input : pretrainedOn;
    Encoder encoder = new Components(plugins, seed, pretrainedOn).create(Encoder.class,
        d.path("encoder_type").asText(), ConfigFactory.parseString(d.path("encoder_settings").asText()), "encoder");

    RepresentationGraph rep = RepresentationGraph.build(encoder, task(d, meta, pretrainedOn, plugins, seed), shape,
        seed).withEncoderOf(SameDiff.load(graphFile.toFile(), false));
    rep.graph().getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    return new Kept(rep.graph(), rep.input(), rep.output(), rep.size(), shape, d.path("encoder_type").asText());
  }

  /**
   * The kept method's task, whose {@link PretextTask#representation} the export builds so that it
   * embeds plain images as the protocols did (CPC: pooled patches; colorization: from the
   * lightness); null for the supervised baseline, whose encoder reads the images as they are.
   * Descriptions kept before the task was recorded in them: the task is read from the run's
   * results.json, whose {@code components.methods} has every method's settings.
   */
  private static PretextTask task(JsonNode d, Path meta, ImageShape pretrainedOn, PluginRegistry plugins,
      long seed) throws IOException {
    String type = d.path("task_type").asText(null);
    String settings = d.path("task_settings").asText(null);
    if (type == null) {
      Path results = meta.getParent().resolveSibling("results.json");
      JsonNode task = Files.exists(results)
          ? JSON.readTree(results.toFile()).path("components").path("methods").path(d.path("method").asText())
          : null;
      if (task == null || !task.isObject() || !task.hasNonNull("type")) {
        throw new IllegalArgumentException(meta + " does not record its task (kept by an earlier Pretext), nor"
            + " does " + results + " list '" + d.path("method").asText() + "' under components.methods;"
            + " re-run the method to export it");
      }
      type = task.get("type").asText();
      settings = ((ObjectNode) task.deepCopy()).without("type").toString();
    }
    if (type.equals(SUPERVISED)) {
      return null;
    }
    try {
      return new Components(plugins, seed, pretrainedOn).create(PretextTask.class, type,
          ConfigFactory.parseString(settings), "task");
    } catch (RuntimeException e) {
      // Descriptions kept before the task was recorded hold the encoder's input shape, not the task's.
      throw new IllegalArgumentException("the task '" + type + "' of " + meta + " cannot be created again for"
          + " the recorded image_shape " + pretrainedOn + ": " + e.getMessage(), e);
    }
  }

  /**
   * Copies every encoder-scope weight and statistic of {@code to} from {@code from}, by name; each
   * must be there with the same shape.
   */
  public static void copyEncoderArrays(SameDiff from, SameDiff to) {
    String prefix = GraphBuilder.ENCODER_SCOPE + "/";
    List<String> missing = new ArrayList<>();
    List<String> misshapen = new ArrayList<>();
    int copied = 0;
    for (SDVariable v : to.variables()) {
      boolean stored = v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT;
      if (!stored || !v.name().startsWith(prefix)) {
        continue;
      }
      SDVariable source = from.hasVariable(v.name()) ? from.getVariable(v.name()) : null;
      INDArray array = source == null ? null : source.getArr();
      if (array == null) {
        missing.add(v.name());
      } else if (!java.util.Arrays.equals(array.shape(), v.getArr().shape())) {
        misshapen.add(v.name() + " " + java.util.Arrays.toString(array.shape()) + " where "
            + java.util.Arrays.toString(v.getArr().shape()) + " is needed");
      } else {
        v.getArr().assign(array);
        copied++;
      }
    }
    if (!misshapen.isEmpty()) {
      throw new IllegalStateException("the trained encoder's weights do not fit the images: " + misshapen);
    }
    if (!missing.isEmpty() || copied == 0) {
      throw new IllegalStateException("the trained graph lacks encoder arrays " + missing
          + " (a task must build its evaluated encoder under the scope '" + GraphBuilder.ENCODER_SCOPE + "')");
    }
  }

  private static long firstSeed(Path folder, String method) throws IOException {
    for (String f : available(folder)) {
      if (f.startsWith(EntryFiles.stem(method) + "-seed")) {
        return Long.parseLong(f.substring((EntryFiles.stem(method) + "-seed").length()));
      }
    }
    throw new IllegalArgumentException("no trained encoder of '" + method + "' in " + folder
        + "; available: " + available(folder));
  }

  private static List<String> available(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (var files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".fb"))
          .map(n -> n.substring(0, n.length() - 3)).sorted().toList();
    }
  }
}
