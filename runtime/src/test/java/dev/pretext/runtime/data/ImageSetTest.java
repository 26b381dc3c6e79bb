package dev.pretext.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pretext.api.ImageShape;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImageSetTest {

  private static final List<String> CLASSES = List.of("zero", "one", "two");

  /** Four 1x2x3 images; image i holds values i/10 + p/100 for pixel p. */
  private static float[] values() {
    float[] values = new float[4 * 6];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i / 6) / 10f + (i % 6) / 100f;
    }
    return values;
  }

  private static ImageSet fourImages() {
    INDArray images = Nd4j.create(values(), new long[] {4, 1, 2, 3}, 'c');
    return new ImageSet(images, new int[] {2, 0, 1, 2}, CLASSES, "four images");
  }

  @Test
  void describesItsContents() {
    ImageSet set = fourImages();

    assertThat(set.size()).isEqualTo(4);
    assertThat(set.shape()).isEqualTo(new ImageShape(1, 2, 3));
    assertThat(set.hasLabels()).isTrue();
    assertThat(set.labels()).containsExactly(2, 0, 1, 2);
    assertThat(set.classNames()).isEqualTo(CLASSES);
    assertThat(set.description()).isEqualTo("four images");
    assertThat(set.images().shape()).containsExactly(4, 1, 2, 3);
  }

  @Test
  void batchCopiesTheChosenImagesInOrder() {
    INDArray batch = fourImages().batch(new int[] {3, 0, 3});

    assertThat(batch.dataType()).isEqualTo(DataType.FLOAT);
    assertThat(batch.shape()).containsExactly(3, 1, 2, 3);
    float[] expected = new float[18];
    System.arraycopy(values(), 18, expected, 0, 6);
    System.arraycopy(values(), 0, expected, 6, 6);
    System.arraycopy(values(), 18, expected, 12, 6);
    assertThat(batch.data().asFloat()).containsExactly(expected);
  }

  @Test
  void laterChangesToTheSourceArrayAreNotSeen() {
    INDArray source = Nd4j.create(values(), new long[] {4, 1, 2, 3}, 'c');
    ImageSet set = new ImageSet(source, null, List.of(), "copied");

    source.assign(1f);

    assertThat(set.batch(new int[] {0}).getFloat(0, 0, 0, 1)).isEqualTo(values()[1]);
    assertThat(set.images().getFloat(0, 0, 0, 1)).isEqualTo(values()[1]);
  }

  @Test
  void subsetKeepsPixelsAndLabelsOfTheChosenImages() {
    ImageSet subset = fourImages().subset(new int[] {2, 1});

    assertThat(subset.size()).isEqualTo(2);
    assertThat(subset.labels()).containsExactly(1, 0);
    assertThat(subset.classNames()).isEqualTo(CLASSES);
    assertThat(subset.description()).contains("four images").contains("subset of 2");
    assertThat(subset.images().getFloat(0, 0, 1, 2)).isEqualTo(values()[2 * 6 + 5]);
    assertThat(subset.batch(new int[] {1}).getFloat(0, 0, 0, 0)).isEqualTo(values()[6]);
  }

  @Test
  void labelsOfFollowsTheIndices() {
    assertThat(fourImages().labelsOf(new int[] {3, 1, 1})).containsExactly(2, 0, 0);
  }

  @Test
  void unlabeledSetRefusesLabelQueries() {
    ImageSet set =
        new ImageSet(Nd4j.create(values(), new long[] {4, 1, 2, 3}, 'c'), null, List.of(), "u");

    assertThat(set.hasLabels()).isFalse();
    assertThat(set.labels()).isNull();
    assertThatThrownBy(() -> set.labelsOf(new int[] {0}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("u has no labels");
    assertThat(set.subset(new int[] {1}).hasLabels()).isFalse();
  }

  @Test
  void indexOutOfRangeIsRefused() {
    assertThatThrownBy(() -> fourImages().batch(new int[] {0, 4}))
        .isInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("index 4 out of range for 4 images");
  }

  @Test
  void invalidContentsAreRefused() {
    float[] tooBright = values();
    tooBright[5] = 1.5f;
    float[] notANumber = values();
    notANumber[7] = Float.NaN;
    long[] shape = {4, 1, 2, 3};

    assertThatThrownBy(
            () -> new ImageSet(Nd4j.create(tooBright, shape, 'c'), null, List.of(), "bright"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("found 1.5 at flat index 5");
    assertThatThrownBy(
            () -> new ImageSet(Nd4j.create(notANumber, shape, 'c'), null, List.of(), "nan"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NaN");
    INDArray flat = Nd4j.create(values(), new long[] {4, 6}, 'c');
    assertThatThrownBy(() -> new ImageSet(flat, null, List.of(), "2d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[N, C, H, W]");
    assertThatThrownBy(
            () ->
                new ImageSet(
                    Nd4j.create(values(), shape, 'c'), new int[] {0, 1, 2}, CLASSES, "short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 labels for 4 images");
    assertThatThrownBy(
            () ->
                new ImageSet(
                    Nd4j.create(values(), shape, 'c'), new int[] {0, 1, 3, 0}, CLASSES, "bad"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label 3 of image 2");
  }

  @Test
  void unsignedBytesAreScaledToUnitRange() {
    byte[] bytes = {0, (byte) 128, (byte) 255, 51};
    ImageSet set = ImageSet.ofUnsignedBytes(bytes, new ImageShape(1, 2, 2), null, List.of(), "b");

    assertThat(set.images().data().asFloat()).containsExactly(0f, 128 / 255f, 1f, 0.2f);
  }

  @Test
  void stratifiedIndicesTakeTheSameNumberFromEachClass() {
    int[] labels = new int[21];
    Arrays.fill(labels, 0, 5, 0);
    Arrays.fill(labels, 5, 12, 1);
    Arrays.fill(labels, 12, 21, 2);

    int[] chosen = ImageSet.stratifiedIndices(labels, 3, 4, 42);

    assertThat(chosen).hasSize(12).isSorted().doesNotHaveDuplicates();
    assertThat(Arrays.stream(chosen).map(i -> labels[i]).filter(c -> c == 0).count()).isEqualTo(4);
    assertThat(Arrays.stream(chosen).map(i -> labels[i]).filter(c -> c == 1).count()).isEqualTo(4);
    assertThat(Arrays.stream(chosen).map(i -> labels[i]).filter(c -> c == 2).count()).isEqualTo(4);
    assertThat(ImageSet.stratifiedIndices(labels, 3, 4, 42)).isEqualTo(chosen);
    assertThat(ImageSet.stratifiedIndices(labels, 3, 4, 43)).isNotEqualTo(chosen);
  }

  @Test
  void stratifiedIndicesRefuseAClassTooSmall() {
    int[] labels = {0, 0, 0, 1, 1, 1, 1};

    assertThatThrownBy(() -> ImageSet.stratifiedIndices(labels, 2, 4, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("class 0 has 3 examples, fewer than the 4 asked for");
    assertThatThrownBy(() -> ImageSet.stratifiedIndices(labels, 3, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("class 2 has 0 examples");
  }

  @Test
  void stratifiedSubsetHasPerClassImagesOfEveryClass() {
    IdxReader.Images bytes = Fixtures.images(30, 2, 2);
    ImageSet set =
        ImageSet.ofUnsignedBytes(
            bytes.pixels(), new ImageShape(1, 2, 2), Fixtures.labels(30, 3), CLASSES, "thirty");

    ImageSet subset = set.stratifiedSubset(4, 7);

    assertThat(subset.size()).isEqualTo(12);
    assertThat(subset.labels()).containsExactlyInAnyOrder(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2);
    int[] chosen = ImageSet.stratifiedIndices(set.labels(), 3, 4, 7);
    assertThat(subset.batch(new int[] {0}).data().asFloat())
        .containsExactly(set.batch(new int[] {chosen[0]}).data().asFloat());
  }
}
