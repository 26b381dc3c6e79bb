package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Patches of the real colour photographs the colour-photos suite pretrains on: the nature
 * pictures of the Debian package {@code mate-backgrounds} (12 JPEGs, 1280x1024 to 2560x1920).
 * Skipped where the package is not installed.
 */
class MateBackgroundsPatchesTest {

  static final Path NATURE = Path.of("/usr/share/backgrounds/mate/nature");

  @Test
  void photosGiveVariedColourPatchesAndHeldOutFromOtherPhotos() {
    assumeTrue(Files.isDirectory(NATURE), "Debian package mate-backgrounds is not installed");
    List<String> warnings = new ArrayList<>();

    PretrainingData data = PatchSampler.sample(NATURE, new PatchSampler.Settings(28, 300, 60, 0),
        3, 1, warnings::add);

    assertThat(warnings).isEmpty();
    assertThat(data.train().shape()).hasToString("3x28x28");
    assertThat(data.train().size()).isEqualTo(300);
    assertThat(data.heldOut().size()).isEqualTo(60);
    assertThat(data.description()).contains("from 10 images").contains("from 2 other images");
    INDArray patches = data.train().images().reshape(300, -1);
    // Shrunk to a short side of 112, most patches hold an edge or a gradient, not one flat colour.
    INDArray spread = patches.std(1);
    long varied = 0;
    for (int i = 0; i < 300; i++) {
      varied += spread.getDouble(i) > 0.03 ? 1 : 0;
    }
    assertThat(varied).isGreaterThan(200);
    // Colour: red and blue planes differ on average (a gray picture would have them equal).
    INDArray images = data.train().images();
    double redBlue = images.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.point(0))
        .sub(images.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.point(2)))
        .norm1Number().doubleValue() / (300.0 * 28 * 28);
    assertThat(redBlue).isGreaterThan(0.05);
  }
}
