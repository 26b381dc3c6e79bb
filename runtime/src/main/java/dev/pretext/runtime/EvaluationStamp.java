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

  /**
   * How the protocols compute, where the settings do not say it: changed when a protocol change
   * moves numbers under unchanged settings, so that earlier entries read as measured under other
   * settings (a plain {@code --resume} refuses them, {@code --reevaluate} measures them again).
   * Entries stamped without it were measured by the epoch-trained (Adam) probe.
   */
  static final String PROTOCOL = "linear-probe=lbfgs-optimum,l2-by-validation-or-3-fold-cv ";

  private EvaluationStamp() {}

  /** The stamp of a resolved suite config (root key {@code suite}); defaults filled in. */
  static String of(Config resolved) {
    return PROTOCOL + settings(resolved);
  }

  private static String settings(Config resolved) {
    Config evaluation = resolved.withFallback(SuiteLoader.reference()).getConfig("suite.evaluation")
        .withoutPath("fine-tune").withoutPath("segmentation");
    // Rendered objects list their keys sorted, so equal settings give equal strings.
    return evaluation.root().render(ConfigRenderOptions.concise());
  }

  /**
   * The stamp of entries written before entries were stamped, from the run's {@code resolved.conf}
   * in {@code folder}, or null if none: they were measured by the epoch-trained probe.
   */
  static String earlier(Path folder) {
    Path file = folder.resolve("resolved.conf");
    return Files.exists(file) ? settings(ConfigFactory.parseFile(file.toFile()).resolve()) : null;
  }
}
