package dev.pretext.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.pretext.api.ComponentKind;
import dev.pretext.runtime.config.ConfigProblem;
import dev.pretext.runtime.config.EffectiveSettings;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.runtime.data.DatasetException;
import dev.pretext.runtime.data.Datasets;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.plugins.LoadedPlugin;
import dev.pretext.runtime.plugins.PluginRegistry;
import dev.pretext.runtime.report.AtomicFiles;
import dev.pretext.runtime.report.Provenance;
import dev.pretext.runtime.report.ResultEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What produced each entry of a run ({@link Provenance}): the plugin jar of every component it
 * uses, and the data files it reads, with their SHA-256 ({@link FileHashes}: once per process, by
 * path, size and modification time). And the check that keeps {@code --resume} from putting
 * entries of another jar or data file into the same table unnoticed.
 */
final class ProvenanceRecorder {

  /** Where a method's checkpoint records what it was trained with, beside the checkpoint. */
  static final String CHECKPOINT_FILE = "provenance.json";

  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Suite suite;
  private final PluginRegistry plugins;
  private final Config effective;
  private final Map<String, Provenance.Component> sources = new HashMap<>();
  private final Map<Suite.DataSettings, List<Provenance.DataFile>> data = new HashMap<>();

  ProvenanceRecorder(Suite suite, PluginRegistry plugins) {
    this.suite = suite;
    this.plugins = plugins;
    this.effective = EffectiveSettings.of(suite, plugins);
  }

  /** A method's: the encoder, its task and what the task nests; its pretraining and evaluation data. */
  synchronized Provenance method(Suite.MethodSpec method) {
    List<Provenance.Component> components = new ArrayList<>(encoder(method.name(), method.encoder() != null));
    collect(ComponentKind.PRETEXT_TASK, method.task().type(),
        effective.getConfig(ConfigUtil.joinPath("methods", method.name())).root(), components);
    List<Provenance.DataFile> files = new ArrayList<>();
    if (method.pretrainingData() != null) {
      files.addAll(data(method.pretrainingData()));
    }
    files.addAll(data(suite.data()));
    return new Provenance(components, files);
  }

  /** A baseline's: its encoder (none for raw pixels) and the evaluation data. */
  synchronized Provenance baseline(Suite.BaselineSpec baseline) {
    Suite.ComponentSpec encoder = suite.encoderOf(baseline);
    return new Provenance(encoder == null ? List.of() : encoder(baseline.name(), baseline.encoder() != null),
        data(suite.data()));
  }

  /** The encoder of entry {@code name}: its own ({@code own}) or the suite's, with what it nests. */
  private List<Provenance.Component> encoder(String name, boolean own) {
    Config settings = effective.getConfig(own ? ConfigUtil.joinPath(EffectiveSettings.ENCODERS, name) : "encoder");
    List<Provenance.Component> components = new ArrayList<>();
    collect(ComponentKind.ENCODER, settings.getString("type"), settings.root(), components);
    return components;
  }

  /** {@code type} and every component nested in its effective settings, depth first. */
  private void collect(ComponentKind kind, String type, ConfigObject settings, List<Provenance.Component> into) {
    into.add(component(kind, type));
    for (Map.Entry<String, ConfigValue> e : settings.entrySet()) {
      if (!e.getKey().equals("type")) {
        collectNested(e.getValue(), into);
      }
    }
  }

  private void collectNested(ConfigValue value, List<Provenance.Component> into) {
    if (value instanceof ConfigList list) {
      list.forEach(item -> collectNested(item, into));
    } else if (value instanceof ConfigObject object) {
      ConfigValue type = object.get("type");
      ComponentKind kind = type != null && type.valueType() == ConfigValueType.STRING
          ? kindOf((String) type.unwrapped()) : null;
      if (kind != null) {
        collect(kind, (String) type.unwrapped(), object, into);
      } else {
        object.values().forEach(v -> collectNested(v, into));
      }
    }
  }

  /** The one kind with a component called {@code type} (as EffectiveSettings reads slots), else null. */
  private ComponentKind kindOf(String type) {
    ComponentKind found = null;
    for (ComponentKind kind : ComponentKind.values()) {
      if (plugins.types(kind).contains(type)) {
        if (found != null) {
          return null;
        }
        found = kind;
      }
    }
    return found;
  }

  private Provenance.Component component(ComponentKind kind, String type) {
    LoadedPlugin plugin = plugins.ownerOf(kind, type);
    Provenance.Component source = sources.computeIfAbsent(plugin.name(), n -> source(plugin));
    return new Provenance.Component(kind.key(), type, source.plugin(), source.version(), source.jar(),
        source.sha256(), source.libraries());
  }

  /**
   * A plugin's code: its jar's name and SHA-256, and those of the library jars its folder bundles
   * (its class loader reads them too); for a classpath plugin loaded from a class folder (tests, an
   * IDE) the folder's path and the digest of its files; no hash when a file cannot be read.
   */
  private static Provenance.Component source(LoadedPlugin plugin) {
    Path location = plugin.location();
    String jar = Files.isRegularFile(location) ? location.getFileName().toString() : location.toString();
    String sha256;
    try {
      sha256 = Files.isDirectory(location) ? FileHashes.ofFolder(location)
          : Files.isRegularFile(location) ? FileHashes.of(location) : null;
    } catch (IOException e) {
      sha256 = null;
    }
    List<Provenance.Library> libraries = new ArrayList<>();
    for (Path library : plugin.jars()) {
      if (!library.equals(location)) {
        String hash;
        try {
          hash = FileHashes.of(library);
        } catch (IOException e) {
          hash = null;
        }
        libraries.add(new Provenance.Library(library.getFileName().toString(), hash));
      }
    }
    return new Provenance.Component(null, null, plugin.name(), plugin.descriptor().version(), jar, sha256,
        libraries);
  }

  /** The files of a data block with their sizes and hashes; an image folder as one digest. */
  private List<Provenance.DataFile> data(Suite.DataSettings settings) {
    List<Provenance.DataFile> known = data.get(settings);
    if (known != null) {
      return known;
    }
    List<Provenance.DataFile> files = new ArrayList<>();
    Path current = null;
    try {
      if (settings.dataset().equals("fashion-mnist") && !settings.source().equals("full")) {
        for (String resource : FashionMnist.embeddedResources()) {
          FileHashes.Hashed hashed = FileHashes.ofResource(resource);
          if (hashed != null) {
            files.add(new Provenance.DataFile(settings.block(), "classpath:" + resource, hashed.bytes(),
                hashed.sha256(), null));
          }
        }
      } else if (settings.dataset().equals("image-folder")) {
        Path root = Path.of(settings.path()).toAbsolutePath().normalize();
        List<Path> images = Datasets.files(settings).stream().map(p -> p.toAbsolutePath().normalize()).toList();
        long bytes = 0;
        for (Path image : images) {
          current = image;
          bytes += Files.size(image);
        }
        current = root;
        files.add(new Provenance.DataFile(settings.block(), root.toString(), bytes,
            FileHashes.ofListing(root, images), images.size()));
      } else {
        for (Path file : Datasets.files(settings)) {
          current = file.toAbsolutePath().normalize();
          files.add(new Provenance.DataFile(settings.block(), current.toString(), Files.size(current),
              FileHashes.of(current), null));
        }
      }
    } catch (IOException e) {
      throw new DatasetException(current, "cannot be read to record its SHA-256: " + e.getMessage(), e);
    }
    List<Provenance.DataFile> result = List.copyOf(files);
    data.put(settings, result);
    return result;
  }

  /**
   * One problem per library jar of {@code recorded}'s plugin folder that this run's ({@code now})
   * has changed, added or removed, each named with both SHA-256.
   */
  private static void librariesChanged(String what, Provenance.Component recorded, Provenance.Component now,
      Set<String> said, String where, List<ConfigProblem> problems) {
    Map<String, String> before = byJar(recorded.libraries());
    Map<String, String> after = byJar(now.libraries());
    Set<String> jars = new java.util.TreeSet<>(before.keySet());
    jars.addAll(after.keySet());
    for (String jar : jars) {
      boolean was = before.containsKey(jar);
      boolean is = after.containsKey(jar);
      if (was && is && Objects.equals(before.get(jar), after.get(jar)) || !said.add(recorded.plugin() + " " + jar)) {
        continue;
      }
      String producedWith = was ? "with library " + jar + " (SHA-256 " + before.get(jar) + ")"
          : "without library " + jar;
      String wouldUse = is ? jar + " (SHA-256 " + after.get(jar) + ")" : "no " + jar;
      problems.add(new ConfigProblem(where, "provenance", what + " was produced by plugin " + recorded.plugin()
          + " " + recorded.version() + " " + producedWith + " in its plugin folder; this run would use "
          + wouldUse));
    }
  }

  private static Map<String, String> byJar(List<Provenance.Library> libraries) {
    Map<String, String> byJar = new LinkedHashMap<>();
    libraries.forEach(l -> byJar.put(l.jar(), l.sha256()));
    return byJar;
  }

  /** Keeps beside a method's checkpoint what it is trained with, for a later {@code --resume}. */
  static void keepBesideCheckpoint(Path work, Provenance provenance) throws IOException {
    Files.createDirectories(work);
    AtomicFiles.writeString(work.resolve(CHECKPOINT_FILE), JSON.writeValueAsString(provenance));
  }

  /**
   * Refuses to resume into {@code folder} when a finished entry, or a checkpoint this run would
   * continue, was produced by another jar of a plugin this run uses, or from another file of a
   * data block this run reads: it names the entry, the jar or file and both SHA-256. Entries
   * written before provenance was recorded cannot be compared and pass.
   *
   * @param onlyMethods the methods this run trains (empty = all)
   * @throws SuiteConfigException listing every mixed entry (exit code 2: nothing trains)
   */
  void requireUnmixed(Path folder, List<ResultEntry> entries, Set<String> onlyMethods) {
    Map<String, Provenance.Component> currentCode = new LinkedHashMap<>();
    Map<String, Provenance.DataFile> currentData = new LinkedHashMap<>();
    List<Provenance> current = new ArrayList<>();
    suite.baselineSpecs().forEach(b -> current.add(baseline(b)));
    List<Suite.MethodSpec> methods = suite.methods().stream()
        .filter(m -> onlyMethods.isEmpty() || onlyMethods.contains(m.name())).toList();
    methods.forEach(m -> current.add(method(m)));
    for (Provenance p : current) {
      p.components().forEach(c -> currentCode.putIfAbsent(c.plugin(), c));
      p.data().forEach(d -> currentData.putIfAbsent(d.key(), d));
    }
    Map<String, Provenance> recorded = new LinkedHashMap<>();
    for (ResultEntry e : entries) {
      if (e.ok() && e.provenance() != null) {
        recorded.put("entry '" + e.name() + "' (seed " + e.seed() + ")", e.provenance());
      }
    }
    for (Suite.MethodSpec m : methods) {
      for (long seed : suite.seeds()) {
        Path kept = folder.resolve("work").resolve(dev.pretext.runtime.report.EntryFiles.of(m.name(), seed))
            .resolve(CHECKPOINT_FILE);
        if (Files.isRegularFile(kept)) {
          try {
            recorded.put("the checkpoint of '" + m.name() + "' (seed " + seed + ") in " + kept.getParent(),
                JSON.readValue(kept.toFile(), Provenance.class));
          } catch (IOException e) {
            // Unreadable: nothing to compare, as for a checkpoint written before provenance was kept.
          }
        }
      }
    }
    List<ConfigProblem> problems = new ArrayList<>();
    String where = folder.resolve("results.json").toString();
    recorded.forEach((what, provenance) -> {
      Set<String> said = new LinkedHashSet<>();
      for (Provenance.Component c : provenance.components()) {
        Provenance.Component now = currentCode.get(c.plugin());
        if (now != null && !Objects.equals(now.sha256(), c.sha256()) && said.add(c.plugin())) {
          problems.add(new ConfigProblem(where, "provenance", what + " was produced by plugin " + c.plugin()
              + " " + c.version() + " from " + c.jar() + " (SHA-256 " + c.sha256() + "); this run would use "
              + now.version() + " from " + now.jar() + " (SHA-256 " + now.sha256() + ")"));
        }
      }
      for (Provenance.Component c : provenance.components()) {
        Provenance.Component now = currentCode.get(c.plugin());
        if (now != null && c.libraries() != null && now.libraries() != null) {
          librariesChanged(what, c, now, said, where, problems);
        }
      }
      for (Provenance.DataFile d : provenance.data()) {
        Provenance.DataFile now = currentData.get(d.key());
        if (now != null && !Objects.equals(now.sha256(), d.sha256()) && said.add(d.key())) {
          problems.add(new ConfigProblem(where, "provenance", what + " read " + d.file() + " (" + d.bytes()
              + " bytes, SHA-256 " + d.sha256() + "); this run reads " + now.file() + " (" + now.bytes()
              + " bytes, SHA-256 " + now.sha256() + ")"));
        }
      }
    });
    if (!problems.isEmpty()) {
      problems.add(new ConfigProblem(where, "", "one table would mix results of different code or data: run"
          + " into a new --out folder, or add --allow-mixed-provenance to resume anyway (each entry keeps"
          + " the provenance it was produced with)"));
      throw new SuiteConfigException("--resume into " + folder, problems);
    }
  }
}
