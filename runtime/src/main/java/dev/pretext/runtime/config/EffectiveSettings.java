package dev.pretext.runtime.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.pretext.api.ComponentKind;
import dev.pretext.runtime.plugins.PluginRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every component of a suite with the settings it was built with: the suite's values over the
 * plugin's defaults, for the encoder, each method's task and the components nested in them (loss,
 * sampler, augmentations, …). The suite's resolved config holds only what the user wrote for a
 * component; this is what a reader needs to reproduce a result when plugin defaults change.
 */
public final class EffectiveSettings {

  /** Where the encoders of methods and baselines that name their own are kept, by entry name. */
  public static final String ENCODERS = "encoders";

  private EffectiveSettings() {}

  /**
   * {@code { encoder { … }, methods { <name> { … } }, encoders { <name> { … } } }}: {@code encoders}
   * holds the own encoder of each method or baseline that names one (absent when none does).
   */
  public static Config of(Suite suite, PluginRegistry plugins) {
    Components components = new Components(plugins, 0, suite.data().shape());
    Map<String, Object> methods = new LinkedHashMap<>();
    Map<String, Object> encoders = new LinkedHashMap<>();
    for (Suite.MethodSpec m : suite.methods()) {
      methods.put(m.name(), expand(components, plugins, ComponentKind.PRETEXT_TASK, m.task()).root());
      if (m.encoder() != null) {
        encoders.put(m.name(), expand(components, plugins, ComponentKind.ENCODER, m.encoder()).root());
      }
    }
    for (Suite.BaselineSpec b : suite.baselineSpecs()) {
      if (b.encoder() != null) {
        encoders.put(b.name(), expand(components, plugins, ComponentKind.ENCODER, b.encoder()).root());
      }
    }
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("encoder", expand(components, plugins, ComponentKind.ENCODER, suite.encoder()).root());
    all.put("methods", methods);
    if (!encoders.isEmpty()) {
      all.put(ENCODERS, encoders);
    }
    return ConfigValueFactory.fromMap(all).toConfig();
  }

  private static Config expand(Components components, PluginRegistry plugins, ComponentKind kind,
      Suite.ComponentSpec spec) {
    Config merged = components.resolvedSettings(kind, spec.type(), spec.settings(), spec.path());
    return withType(expandNested(components, plugins, merged.root(), spec.path()), spec.type());
  }

  private static ConfigObject expandNested(Components components, PluginRegistry plugins,
      ConfigObject object, String path) {
    ConfigObject result = object;
    for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
      result = result.withValue(e.getKey(), expandValue(components, plugins, e.getValue(), path + "." + e.getKey()));
    }
    return result;
  }

  private static ConfigValue expandValue(Components components, PluginRegistry plugins, ConfigValue value,
      String path) {
    if (value instanceof ConfigList list) {
      List<ConfigValue> items = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        items.add(expandValue(components, plugins, list.get(i), path + "[" + i + "]"));
      }
      return ConfigValueFactory.fromIterable(items.stream().map(ConfigValue::unwrapped).toList());
    }
    if (!(value instanceof ConfigObject object)) {
      return value;
    }
    ConfigValue type = object.get("type");
    ComponentKind kind = type != null && type.valueType() == ConfigValueType.STRING
        ? kindOf(plugins, (String) type.unwrapped()) : null;
    if (kind == null) {
      return expandNested(components, plugins, object, path);
    }
    String typeName = (String) type.unwrapped();
    Config merged = components.resolvedSettings(kind, typeName, object.toConfig(), path);
    return withType(expandNested(components, plugins, merged.root(), path), typeName).root();
  }

  /** The one kind that has a component called {@code type}, or null if none or several do. */
  private static ComponentKind kindOf(PluginRegistry plugins, String type) {
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

  private static Config withType(ConfigObject settings, String type) {
    return settings.withValue("type", ConfigValueFactory.fromAnyRef(type)).toConfig()
        .withFallback(ConfigFactory.empty());
  }
}
