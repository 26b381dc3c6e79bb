package dev.pretext.runtime.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.List;
import java.util.Set;

/**
 * Checks a user's config tree against a reference tree of defaults: every key must exist in the
 * reference ("did you mean …?" otherwise) and every value must have the reference value's type.
 * Ranges are checked later by the settings records that read the values.
 */
public final class ConfigValidator {

  private ConfigValidator() {}

  /**
   * Validates {@code user} against {@code reference}, appending problems to {@code out}.
   *
   * @param path the path of {@code user} in the suite, used in messages
   * @param skip keys (at this level only) that the caller validates itself
   */
  public static void validate(
      ConfigObject user, ConfigObject reference, String path, Set<String> skip,
      List<ConfigProblem> out) {
    for (var entry : user.entrySet()) {
      String key = entry.getKey();
      String keyPath = path.isEmpty() ? key : path + "." + key;
      if (skip.contains(key)) {
        continue;
      }
      ConfigValue ref = reference.get(key);
      if (ref == null) {
        String hint = Suggestions.closest(key, reference.keySet())
            .map(s -> "; did you mean '" + s + "'?")
            .orElse("; known keys: " + String.join(", ", new java.util.TreeSet<>(reference.keySet())));
        out.add(ConfigProblem.at(entry.getValue().origin(), keyPath, "unknown key '" + key + "'" + hint));
        continue;
      }
      checkValue(entry.getValue(), ref, keyPath, out);
    }
  }

  private static void checkValue(ConfigValue value, ConfigValue ref, String path, List<ConfigProblem> out) {
    ConfigValueType want = ref.valueType();
    if (want == ConfigValueType.NULL || value.valueType() == ConfigValueType.NULL) {
      return;
    }
    if (want == ConfigValueType.OBJECT) {
      if (value instanceof ConfigObject object) {
        // A nested component slot ({ type = …, … }): its keys depend on the chosen type and are
        // checked when that component is created.
        Set<String> skip = ((ConfigObject) ref).containsKey("type")
            ? new java.util.HashSet<>(object.keySet()) : Set.of();
        if (!skip.isEmpty()) {
          skip.remove("type");
        }
        validate(object, (ConfigObject) ref, path, skip, out);
      } else {
        out.add(mismatch(value, path, "an object { … }"));
      }
      return;
    }
    if (want == ConfigValueType.LIST) {
      if (!(value instanceof ConfigList list)) {
        out.add(mismatch(value, path, "a list [ … ]"));
        return;
      }
      ConfigList refList = (ConfigList) ref;
      if (!refList.isEmpty()) {
        for (int i = 0; i < list.size(); i++) {
          checkValue(list.get(i), refList.get(0), path + "[" + i + "]", out);
        }
      }
      return;
    }
    if (!compatible(value, want)) {
      out.add(mismatch(value, path, article(want)));
    }
  }

  private static boolean compatible(ConfigValue value, ConfigValueType want) {
    ConfigValueType have = value.valueType();
    if (have == want) {
      return true;
    }
    Object raw = value.unwrapped();
    return switch (want) {
      case STRING -> have == ConfigValueType.NUMBER || have == ConfigValueType.BOOLEAN;
      case NUMBER -> have == ConfigValueType.STRING && isNumber(raw.toString());
      case BOOLEAN -> have == ConfigValueType.STRING
          && Set.of("true", "false", "yes", "no", "on", "off").contains(raw.toString());
      default -> false;
    };
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s.trim());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static ConfigProblem mismatch(ConfigValue value, String path, String expected) {
    String got = value.valueType() == ConfigValueType.STRING
        ? "string '" + value.unwrapped() + "'"
        : value.valueType().name().toLowerCase(java.util.Locale.ROOT) + " " + value.render();
    return ConfigProblem.at(value.origin(), path, "expected " + expected + ", got " + got);
  }

  private static String article(ConfigValueType type) {
    return switch (type) {
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case STRING -> "a string";
      default -> type.name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
