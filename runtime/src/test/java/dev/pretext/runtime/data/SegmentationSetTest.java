package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class SegmentationSetTest {

  private static final List<String> CLASSES = List.of("background", "cat", "dog");

  /** Two 1x2x3 images. */
  private static ImageSet twoImages() {
    float[] values = new float[12];
    for (int i = 0; i < values.length; i++) {
      values[i] = i / 20f;
    }
    return new ImageSet(Nd4j.create(values, new long[] {2, 1, 2, 3}, 'c'), null, List.of(), "two");
  }

  private static byte[] masks() {
    return new byte[] {0, 1, 2, 2, 1, 0, /* image 1 */ 1, 1, 0, (byte) 255, 2, 2};
  }

  @Test
  void givesMasksRowMajorPerImage() {
    SegmentationSet set = new SegmentationSet(twoImages(), masks(), CLASSES, "scenes");

    assertThat(set.size()).isEqualTo(2);
    assertThat(set.shape()).hasToString("1x2x3");
    assertThat(set.classCount()).isEqualTo(3);
    assertThat(set.mask(0)).containsExactly(0, 1, 2, 2, 1, 0);
    assertThat(set.mask(1)).containsExactly(1, 1, 0, 255, 2, 2);
    assertThat(set.label(1, 1, 0)).isEqualTo(SegmentationSet.IGNORE);
    assertThat(set.label(1, 1, 1)).isEqualTo(2);
    assertThat(set.label(1, 0, 2)).isEqualTo(SegmentationSet.BACKGROUND);
    assertThat(set.masksOf(new int[] {1, 0})).containsExactly(1, 1, 0, 255, 2, 2, 0, 1, 2, 2, 1, 0);
    assertThat(set.pixelCounts()).containsExactly(3, 4, 4);
    assertThat(set.image(1).shape()).containsExactly(1, 1, 2, 3);
    assertThat(set.image(1).getFloat(0, 0, 1, 2)).isEqualTo(11 / 20f);
  }

  @Test
  void laterChangesToTheMaskArrayAreNotSeen() {
    byte[] masks = masks();
    SegmentationSet set = new SegmentationSet(twoImages(), masks, CLASSES, "scenes");
    masks[1] = 2;

    assertThat(set.label(0, 0, 1)).isEqualTo(1);
  }

  @Test
  void rejectsMasksOfTheWrongSize() {
    assertThatThrownBy(() -> new SegmentationSet(twoImages(), new byte[11], CLASSES, "scenes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("11 mask bytes for 2 images of 1x2x3; need 6 (H * W) per image, 12 in all");
  }

  @Test
  void rejectsALabelThatIsNeitherAClassNorIgnore() {
    byte[] masks = masks();
    masks[8] = 3;

    assertThatThrownBy(() -> new SegmentationSet(twoImages(), masks, CLASSES, "scenes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "label 3 of image 1 at (y 0, x 2) is neither a class 0..2 nor the ignore label 255");
  }

  @Test
  void rejectsFewerThanTwoClassesAndBadIndices() {
    assertThatThrownBy(
            () -> new SegmentationSet(twoImages(), new byte[12], List.of("background"), "s"))
        .hasMessageContaining("needs 2 to 255 class names (background first), got 1");
    SegmentationSet set = new SegmentationSet(twoImages(), masks(), CLASSES, "scenes");
    assertThatThrownBy(() -> set.mask(2)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("index 2 out of range for 2 images");
    assertThatThrownBy(() -> set.label(0, 2, 0)).isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("(y 2, x 0) is outside 2 x 3");
  }
}
