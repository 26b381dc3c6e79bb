package dev.pretext.toolkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class SettingsTest {

  private static final ConfigParseOptions ORIGIN = ConfigParseOptions.defaults().setOriginDescription("suite.conf");

  /** Line 1 is blank so that each key's line is its position in the text below. */
  private static final Settings SETTINGS = new Settings(ConfigFactory.parseString("""

      queue-size = -3
      grid = 7
      channels = 64
      stride = 3
      momentum = 1.5
      temperature = 0
      std = -0.25
      size = 1
      scale = [0.5, 0.2]
      pair = [1, 2, 3]
      mode = centre
      head { hidden = 0, output = 128 }
      """, ORIGIN), "suite.methods[2]");

  private static void rejects(ThrowingCallable read, int line, String key, String message) {
    assertThatThrownBy(read).isInstanceOf(ConfigException.BadValue.class)
        .hasMessage("suite.conf: " + line + ": Invalid value at 'suite.methods[2]." + key + "': " + message);
  }

  @Test
  void positiveInt() {
    assertThat(SETTINGS.positiveInt("channels")).isEqualTo(64);
    rejects(() -> SETTINGS.positiveInt("queue-size"), 2, "queue-size", "must be > 0, got -3");
    rejects(() -> SETTINGS.positiveInt("head.hidden"), 13, "head.hidden", "must be > 0, got 0");
  }

  @Test
  void intIn() {
    assertThat(SETTINGS.intIn("grid", 2, 7)).isEqualTo(7);
    assertThat(SETTINGS.intIn("grid", 7, 9)).isEqualTo(7);
    rejects(() -> SETTINGS.intIn("grid", 2, 5), 3, "grid", "must be between 2 and 5, got 7");
    rejects(() -> SETTINGS.intIn("channels", 1, 32, "at most the image's side"), 4, "channels",
        "must be between 1 and 32 (at most the image's side), got 64");
  }

  @Test
  void intListIn() {
    assertThat(SETTINGS.intListIn("pair", 1, 3)).containsExactly(1, 2, 3);
    rejects(() -> SETTINGS.intListIn("pair", 1, 2), 11, "pair",
        "must list one or more values, each between 1 and 2, got [1, 2, 3]");
  }

  @Test
  void intAtLeast() {
    assertThat(SETTINGS.intAtLeast("head.hidden", 0)).isZero();
    rejects(() -> SETTINGS.intAtLeast("queue-size", 0), 2, "queue-size", "must be >= 0, got -3");
    rejects(() -> SETTINGS.intAtLeast("queue-size", 0, "0 = a linear head"), 2, "queue-size",
        "must be >= 0 (0 = a linear head), got -3");
  }

  @Test
  void intOneOf() {
    assertThat(SETTINGS.intOneOf("stride", 1, 3)).isEqualTo(3);
    rejects(() -> SETTINGS.intOneOf("stride", 1, 2, 4), 5, "stride", "must be 1, 2 or 4, got 3");
  }

  @Test
  void doubleInIsInclusive() {
    assertThat(SETTINGS.doubleIn("momentum", 0, 1.5)).isEqualTo(1.5);
    assertThat(SETTINGS.doubleIn("temperature", 0, 1)).isZero();
    rejects(() -> SETTINGS.doubleIn("momentum", 0, 1), 6, "momentum", "must be between 0 and 1, got 1.5");
    rejects(() -> SETTINGS.doubleIn("temperature", 0.02, 100), 7, "temperature",
        "must be between 0.02 and 100, got 0");
  }

  @Test
  void doubleInExclusiveMinExcludesOnlyTheMinimum() {
    assertThat(SETTINGS.doubleInExclusiveMin("momentum", 0, 1.5)).isEqualTo(1.5);
    rejects(() -> SETTINGS.doubleInExclusiveMin("temperature", 0, 10), 7, "temperature",
        "must be in (0, 10], got 0");
    rejects(() -> SETTINGS.doubleInExclusiveMin("momentum", 0, 1), 6, "momentum", "must be in (0, 1], got 1.5");
  }

  @Test
  void positiveDouble() {
    assertThat(SETTINGS.positiveDouble("momentum")).isEqualTo(1.5);
    rejects(() -> SETTINGS.positiveDouble("std"), 8, "std", "must be > 0, got -0.25");
    rejects(() -> SETTINGS.positiveDouble("temperature"), 7, "temperature", "must be > 0, got 0");
  }

  @Test
  void probabilityAndFraction() {
    assertThat(SETTINGS.probability("size")).isEqualTo(1);
    rejects(() -> SETTINGS.probability("momentum"), 6, "momentum", "must be between 0 and 1, got 1.5");
    rejects(() -> SETTINGS.fraction("size"), 9, "size", "must be a fraction in (0, 1), got 1");
    rejects(() -> SETTINGS.fraction("temperature"), 7, "temperature", "must be a fraction in (0, 1), got 0");
  }

  @Test
  void range() {
    Settings ok = new Settings(ConfigFactory.parseString("scale = [0, 1]", ORIGIN), "suite.methods[2]");
    assertThat(ok.range("scale", 0, 1, false)).containsExactly(0, 1);
    rejects(() -> ok.range("scale", 0, 1, true), 1, "scale",
        "must be [low, high] with 0 < low <= high <= 1, got [0, 1]");
    rejects(() -> SETTINGS.range("scale", 0, 1, false), 10, "scale",
        "must be [low, high] with 0 <= low <= high <= 1, got [0.5, 0.2]");
    rejects(() -> SETTINGS.range("pair", 0, 10, false), 11, "pair",
        "must be a range [low, high] of two numbers, got [1, 2, 3]");
  }

  @Test
  void oneOf() {
    assertThat(SETTINGS.oneOf("mode", "centre", "random")).isEqualTo("centre");
    rejects(() -> SETTINGS.oneOf("mode", "central-block", "random-block", "random-region"), 12, "mode",
        "must be 'central-block', 'random-block' or 'random-region', got 'centre'");
  }

  @Test
  void nestedSettingsKeepTheFullPath() {
    Settings head = SETTINGS.at("head");
    assertThat(head.path()).isEqualTo("suite.methods[2].head");
    assertThat(head.intIn("output", 1, 65_536)).isEqualTo(128);
    rejects(() -> head.intIn("hidden", 1, 65_536), 13, "head.hidden", "must be between 1 and 65536, got 0");
    assertThat(SETTINGS.bad("grid", "cuts 28x28 images into cells smaller than 8x8").getMessage())
        .isEqualTo("suite.conf: 3: Invalid value at 'suite.methods[2].grid': cuts 28x28 images into cells"
            + " smaller than 8x8");
  }
}
