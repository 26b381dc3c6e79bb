package dev.pretext.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Looks up and creates components contributed by any loaded plugin. */
public interface ComponentRegistry {

  /** The type names known for a kind, across all loaded plugins. */
  Set<String> types(ComponentKind kind);

  /**
   * Creates a component of the given kind and type.
   *
   * @param settings values that override the type's defaults; usually a sub-tree of the caller's
   *     own settings, so that errors point to the caller's file and line
   * @param path where {@code settings} live in the suite, for messages
   * @throws IllegalArgumentException if no loaded plugin provides the type; the message lists the
   *     known types
   */
  <T> T create(Class<T> kind, String type, Config settings, String path);

  /**
   * Creates one component per entry of a list of {@code { type = <name>, <its settings> }}
   * objects, in order — e.g. a task's augmentation pipeline.
   *
   * @param path where {@code list} lives in the suite; entries are reported as {@code path[i]}
   * @throws ConfigException.BadValue naming the entry and the known types when an entry is not
   *     such an object
   */
  default <T> List<T> createAll(Class<T> type, ComponentKind kind, ConfigList list, String path) {
    List<T> result = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      ConfigValue entry = list.get(i);
      String entryPath = path + "[" + i + "]";
      if (!(entry instanceof ConfigObject object) || !object.containsKey("type")) {
        throw new ConfigException.BadValue(entry.origin(), entryPath,
            "expected { type = <" + kind.key() + ">, … }; known " + kind.key() + "s: "
                + String.join(", ", new TreeSet<>(types(kind))));
      }
      Config settings = object.toConfig();
      result.add(create(type, settings.getString("type"), settings, entryPath));
    }
    return List.copyOf(result);
  }

  /**
   * A task's augmentation pipeline from its list of {@code { type = <augmentation>, … }} entries,
   * refusing an empty list — for tasks whose views must differ.
   *
   * @param emptyMeans what an empty pipeline would do, for the message, e.g. {@code "both views are
   *     the same image"}
   * @throws ConfigException.BadValue at {@code path} when the list is empty, or as {@link #createAll}
   * @since 1.1
   */
  default List<Augmentation> createAugmentations(ConfigList list, String path, String emptyMeans) {
    if (list.isEmpty()) {
      throw new ConfigException.BadValue(list.origin(), path,
          "needs at least one augmentation: without any, " + emptyMeans);
    }
    return createAll(Augmentation.class, ComponentKind.AUGMENTATION, list, path);
  }

  /**
   * Creates the loss a task configures under its {@code loss} key ({@code loss.type} and that
   * type's settings) and checks that the loss reads only roles the task provides, so that a
   * mismatch is reported when the suite loads, naming {@code <path>.loss.type}, rather than as a
   * missing variable while the graph is built.
   *
   * @param taskSettings the task's own settings, holding {@code loss}
   * @param path where {@code taskSettings} live in the suite
   * @param task the task's type name, for the message
   * @param provided the roles the task hands its loss
   * @param suggestion what to use instead, e.g. {@code "a contrastive loss such as info-nce"}
   * @throws ConfigException.BadValue at {@code <path>.loss.type} when the loss reads a role the task
   *     does not provide
   * @since 1.1
   */
  default Loss createLoss(Config taskSettings, String path, String task, Set<String> provided,
      String suggestion) {
    Loss loss = createLossOnly(taskSettings, path);
    checkRoles(loss, taskSettings, path, task, provided, suggestion);
    return loss;
  }

  /**
   * Creates the loss a task configures under its {@code loss} key, as {@link #createLoss(Config,
   * String, String, Set, String)} does, and also checks that the loss takes in each role
   * something the task can give there ({@link Loss#consumes}): a loss taking embeddings where the
   * task has only a decoder's logits or probabilities is refused at {@code <path>.loss.type}. The
   * task then asks {@link Loss#consumes} which form to hand over.
   *
   * @param provided per role the task hands its loss, the forms it can give it in
   * @throws ConfigException.BadValue at {@code <path>.loss.type} when the loss reads a role the task
   *     does not provide, takes a form the task cannot give, or declares nothing for a role the
   *     task can give in several forms
   * @since 2.0
   */
  default Loss createLoss(Config taskSettings, String path, String task,
      Map<String, Set<Loss.Input>> provided, String suggestion) {
    Loss loss = createLossOnly(taskSettings, path);
    checkRoles(loss, taskSettings, path, task, provided.keySet(), suggestion);
    String type = taskSettings.getString("loss.type");
    for (String role : new TreeSet<>(loss.roles())) {
      Loss.Input taken = loss.consumes().get(role);
      Set<Loss.Input> forms = provided.get(role);
      String problem = null;
      if (taken == null && forms.size() > 1) {
        problem = "the loss '" + type + "' does not declare what it takes as '" + role + "' (Loss.consumes), and "
            + task + " can give it as " + describeInputs(forms);
      } else if (taken != null && !forms.contains(taken)) {
        problem = "the loss '" + type + "' takes " + describeInputs(Set.of(taken)) + " as '" + role + "' but "
            + task + " gives it as " + describeInputs(forms);
      }
      if (problem != null) {
        throw new ConfigException.BadValue(taskSettings.getValue("loss.type").origin(), path + ".loss.type",
            problem + "; use " + suggestion);
      }
    }
    return loss;
  }

  private Loss createLossOnly(Config taskSettings, String path) {
    return create(Loss.class, taskSettings.getString("loss.type"), taskSettings.getConfig("loss"), path + ".loss");
  }

  private static void checkRoles(Loss loss, Config taskSettings, String path, String task, Set<String> provided,
      String suggestion) {
    if (!provided.containsAll(loss.roles())) {
      throw new ConfigException.BadValue(taskSettings.getValue("loss.type").origin(), path + ".loss.type",
          "the loss '" + taskSettings.getString("loss.type") + "' reads " + new TreeSet<>(loss.roles()) + " but "
              + task + " provides " + new TreeSet<>(provided) + "; use " + suggestion);
    }
  }

  private static String describeInputs(Set<Loss.Input> inputs) {
    return inputs.stream().sorted().map(i -> i.name().toLowerCase(java.util.Locale.ROOT))
        .collect(Collectors.joining(" or "));
  }

  /**
   * Creates the negative sampler a task configures under its {@code sampler} key ({@code
   * sampler.type} and that type's settings) and checks that the task provides everything the
   * sampler {@linkplain NegativeSampler#needs needs}, so that a mismatch (a queue sampler on a task
   * without a key encoder) is reported when the suite loads, naming {@code <path>.sampler.type},
   * rather than as a failure during training. The runtime keeps the sampler's state in checkpoints
   * ({@link NegativeSampler#saveState}).
   *
   * @param taskSettings the task's own settings, holding {@code sampler}
   * @param path where {@code taskSettings} live in the suite
   * @param task the task's type name, for the message
   * @param provided what the task gives its sampler
   * @param suggestion what to use instead, e.g. {@code "the in-batch sampler"}
   * @throws ConfigException.BadValue at {@code <path>.sampler.type} when the sampler needs
   *     something the task does not provide
   * @since 2.0
   */
  default NegativeSampler createSampler(Config taskSettings, String path, String task,
      Set<NegativeSampler.Need> provided, String suggestion) {
    String type = taskSettings.getString("sampler.type");
    NegativeSampler sampler = create(NegativeSampler.class, type, taskSettings.getConfig("sampler"),
        path + ".sampler");
    Set<NegativeSampler.Need> missing = EnumSet.noneOf(NegativeSampler.Need.class);
    missing.addAll(sampler.needs());
    missing.removeAll(provided);
    if (!missing.isEmpty()) {
      throw new ConfigException.BadValue(taskSettings.getValue("sampler.type").origin(),
          path + ".sampler.type", "the sampler '" + type + "' needs " + describe(missing) + ", which "
              + task + " does not provide (it provides " + describe(provided) + "); use " + suggestion);
    }
    return sampler;
  }

  private static String describe(Set<NegativeSampler.Need> needs) {
    return needs.isEmpty() ? "nothing" : needs.stream().sorted()
        .map(n -> n.description() + " (" + n.name().toLowerCase(java.util.Locale.ROOT) + ")")
        .collect(Collectors.joining(", "));
  }
}
