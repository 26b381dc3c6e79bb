package dev.pretext.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import dev.pretext.runtime.config.SuiteLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The settings of the frozen protocols (linear probe, label fractions, kNN, calibration: {@code
 * suite.evaluation} without {@code fine-tune}) as one string, stamped on every result entry: a run
 * that resumes a folder sees which entries were measured under other settings, and {@code
 * --reevaluate} measures them again.
 */
final class EvaluationStamp {

  private EvaluationStamp() {}

  /** The stamp of a resolved suite config (root key {@code suite}); defaults filled in. */
  static String of(Config resolved) {
    Config evaluation = resolved.withFallback(SuiteLoader.reference()).getConfig("suite.evaluation")
        .withoutPath("fine-tune");
    // Rendered objects list their keys sorted, so equal settings give equal strings.
    return evaluation.root().render(ConfigRenderOptions.concise());
  }

  /** The stamp of the run whose {@code resolved.conf} is in {@code folder}, or null if none. */
  static String earlier(Path folder) {
    Path file = folder.resolve("resolved.conf");
    return Files.exists(file) ? of(ConfigFactory.parseFile(file.toFile()).resolve()) : null;
  }
}
