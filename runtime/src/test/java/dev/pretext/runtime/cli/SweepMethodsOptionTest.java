package dev.pretext.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pretext.runtime.report.ResultEntry;
import dev.pretext.runtime.report.ResultsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --methods} with sweeps: a swept method's name selects its points; a point's name keeps its commas. */
class SweepMethodsOptionTest {

  @TempDir Path dir;

  @Test
  void theCommasOfAPointsNameAreKept() {
    assertThat(RunCommand.joinSweepPoints(List.of("b[x=1", "y=2]", "c", "d[z=3]")))
        .containsExactly("b[x=1,y=2]", "c", "d[z=3]");
  }

  @Test
  void aSweptMethodsNameRunsEachOfItsPointsAndAnUnknownNameListsThem() throws Exception {
    Path suite = dir.resolve("sweep.conf");
    Files.writeString(suite, """
        suite {
          name = sweep
          data { train-limit = 200, test-limit = 50 }
          encoder { type = tiny, width = 4 }
          training { epochs = 1, batch-size = 50 }
          methods = [ { type = brightness, name = b }, { type = brightness, name = c } ]
          baselines = []
          evaluation { calibration-batches = 1, label-fractions = [], knn.k = 5 }
          sweep { "b.scale" = [0.5, 2], "b.training.epochs" = [1] }
        }
        """);
    Path out = dir.resolve("out");

    CliCapture.Result unknown = CliCapture.run(dir, "run", suite.toString(), "--out", out.toString(),
        "--methods", "bb");
    assertThat(unknown.code()).isNotZero();
    assertThat(unknown.err()).contains("--methods names 'bb'").contains("b[scale=0.5,epochs=1]");

    CliCapture.Result r = CliCapture.run(dir, "run", suite.toString(), "--out", out.toString(), "--methods", "b");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(ResultsWriter.readEntries(out)).extracting(ResultEntry::name)
        .containsExactlyInAnyOrder("b[scale=0.5,epochs=1]", "b[scale=2,epochs=1]");
  }
}
