package dev.pretext.runtime.config;

import com.typesafe.config.Config;
import java.util.List;

/**
 * The segmentation protocol ({@code suite.evaluation.segmentation}): the frozen encoder's feature
 * maps, upsampled bilinearly to the image, with a per-pixel linear classifier fitted on train
 * scenes and scored on test scenes (mIoU, pixel accuracy, per-class IoU).
 *
 * @param enabled off by default: it costs features of every scene per entry
 * @param data where the scenes come from
 * @param stages the encoder stages whose feature maps the classifier reads, 1 = first, -1 = last
 *     (counted from the end), in the order given
 * @param pixelsPerScene pixels of each train scene, drawn at random (seeded), that the classifier
 *     is fitted on; every pixel of every test scene is scored
 * @param pictures test scenes drawn per entry (image, true mask, predicted mask); 0 = none
 * @param fineTune the fine-tuned variant: the encoder unfrozen and trained with the per-pixel head
 */
public record SegmentationSettings(boolean enabled, SceneData data, List<Integer> stages, int pixelsPerScene,
    int pictures, FineTune fineTune) {

  /** The key of the block. */
  public static final String BLOCK = "suite.evaluation.segmentation";

  /** Datasets with a class per pixel. */
  public static final List<String> DATASETS = List.of("fashion-mnist-scenes", "voc-segmentation");

  public SegmentationSettings {
    stages = List.copyOf(stages);
  }

  /** Without the fine-tuned variant. */
  public SegmentationSettings(boolean enabled, SceneData data, List<Integer> stages, int pixelsPerScene,
      int pictures) {
    this(enabled, data, stages, pixelsPerScene, pictures, FineTune.off());
  }

  /** The protocol switched off (suites that do not mention it). */
  public static SegmentationSettings off() {
    return new SegmentationSettings(false, SceneData.defaults(), List.of(-1), 256, 6);
  }

  /**
   * The fine-tuned variant ({@code suite.evaluation.segmentation.fine-tune}): the entry's encoder,
   * from its trained weights (random-init's from its initialization), with a 1 × 1 convolution on
   * the same {@code stages}, logits upsampled bilinearly to the scene, trained end to end by Adam on
   * per-pixel cross-entropy over the train scenes and scored as the frozen probe is.
   *
   * @param enabled off by default: it trains a network per entry
   * @param epochs passes over the train scenes
   * @param learningRate Adam's step size, for the encoder and the head alike
   * @param batchSize scenes per step
   */
  public record FineTune(boolean enabled, int epochs, double learningRate, int batchSize) {

    /** The variant switched off, at the reference's defaults. */
    public static FineTune off() {
      return new FineTune(false, 5, 1e-3, 32);
    }
  }

  /**
   * Where the scenes come from ({@code suite.evaluation.segmentation.data}).
   *
   * @param dataset {@code fashion-mnist-scenes} (garments pasted on a canvas, {@code
   *     GarmentScenes}) or {@code voc-segmentation} (a PASCAL VOC-layout folder at {@code path})
   * @param source fashion-mnist-scenes: garments of the embedded sample or of the full dataset
   * @param path the full Fashion-MNIST folder (empty: where {@code suite.data} looks) or the VOC
   *     root (required)
   * @param channels 0 = the dataset's own (1 for garments, 3 for VOC), 1 = luma, 3 = RGB
   */
  public record SceneData(String dataset, String source, String path, int trainScenes, int testScenes,
      int canvasSize, int minGarments, int maxGarments, double minScale, double maxScale, double threshold,
      int imageSize, int trainLimit, int testLimit, int channels) {

    static SceneData defaults() {
      return new SceneData("fashion-mnist-scenes", "embedded", "", 2000, 500, 64, 2, 4, 1.0, 1.0, 0.1, 64, 0, 0, 0);
    }

    /** The channel count of the loaded scenes. */
    public int effectiveChannels() {
      return channels != 0 ? channels : dataset.equals("fashion-mnist-scenes") ? 1 : 3;
    }

    /** A short description for logs, e.g. {@code fashion-mnist-scenes embedded, 2000/500 scenes 64x64}. */
    public String summary() {
      return dataset.equals("fashion-mnist-scenes")
          ? String.format(java.util.Locale.ROOT, "fashion-mnist-scenes from the %s garments, %d/%d scenes %dx%d",
              source, trainScenes, testScenes, canvasSize, canvasSize)
          : String.format(java.util.Locale.ROOT, "voc-segmentation %s, %dx%d", path, imageSize, imageSize);
    }
  }

  /**
   * Reads and checks the block; every error (a {@code ConfigException.BadValue}) names the key by
   * its full path, at its file and line.
   *
   * @param merged the whole suite config, defaults filled in
   */
  static SegmentationSettings from(Config merged) {
    String b = BLOCK;
    String d = b + ".data";
    String dataset = Settings.oneOf(merged, d + ".dataset", DATASETS);
    String path = merged.getString(d + ".path");
    boolean enabled = merged.getBoolean(b + ".enabled");
    if (enabled && dataset.equals("voc-segmentation") && path.isBlank()) {
      throw Settings.bad(merged, d + ".path", "dataset = voc-segmentation needs path = <the VOC2012 folder,"
          + " with JPEGImages, SegmentationClass and ImageSets/Segmentation>");
    }
    int minGarments = Settings.intIn(merged, d + ".min-garments", 1, 64);
    int maxGarments = Settings.intIn(merged, d + ".max-garments", 1, 64);
    if (maxGarments < minGarments) {
      throw Settings.bad(merged, d + ".max-garments", "must be at least min-garments " + minGarments
          + ", got " + maxGarments);
    }
    double minScale = Settings.doubleIn(merged, d + ".min-scale", 0.05, 20);
    double maxScale = Settings.doubleIn(merged, d + ".max-scale", 0.05, 20);
    if (maxScale < minScale) {
      throw Settings.bad(merged, d + ".max-scale", "must be at least min-scale " + minScale + ", got " + maxScale);
    }
    int channels = Settings.intIn(merged, d + ".channels", 0, 3);
    if (channels == 2) {
      throw Settings.bad(merged, d + ".channels", "must be 0 (the dataset's own), 1 (luma) or 3 (RGB), got 2");
    }
    SceneData data = new SceneData(dataset,
        Settings.oneOf(merged, d + ".source", List.of("embedded", "full")), path,
        Settings.intIn(merged, d + ".train-scenes", 1, 1_000_000),
        Settings.intIn(merged, d + ".test-scenes", 1, 1_000_000),
        Settings.intIn(merged, d + ".canvas-size", 8, 4096),
        minGarments, maxGarments, minScale, maxScale,
        Settings.doubleIn(merged, d + ".threshold", 0, 0.99),
        Settings.intIn(merged, d + ".image-size", 8, 4096),
        Settings.intIn(merged, d + ".train-limit", 0, Integer.MAX_VALUE),
        Settings.intIn(merged, d + ".test-limit", 0, Integer.MAX_VALUE),
        channels);
    List<Integer> stages = merged.getIntList(b + ".stages");
    if (stages.isEmpty() || stages.contains(0) || stages.stream().distinct().count() != stages.size()) {
      throw Settings.bad(merged, b + ".stages", "must list distinct stages, 1 = the first, -1 = the last,"
          + " got " + stages);
    }
    String f = b + ".fine-tune";
    FineTune fineTune = new FineTune(merged.getBoolean(f + ".enabled"),
        Settings.intIn(merged, f + ".epochs", 1, 10_000),
        Settings.doubleIn(merged, f + ".learning-rate", 1e-8, 10),
        Settings.intIn(merged, f + ".batch-size", 2, 65_536));
    return new SegmentationSettings(enabled, data, stages,
        Settings.intIn(merged, b + ".pixels-per-scene", 1, 1_000_000),
        Settings.intIn(merged, b + ".pictures", 0, 64), fineTune);
  }

  /**
   * The stage indices (0-based) of an encoder with {@code count} stages.
   *
   * @throws IllegalArgumentException naming the key when a stage does not exist
   */
  public List<Integer> stageIndices(int count) {
    return stages.stream().map(s -> {
      int index = s > 0 ? s - 1 : count + s;
      if (index < 0 || index >= count) {
        throw new IllegalArgumentException(BLOCK + ".stages: stage " + s + " does not exist; the encoder has "
            + count + " stage" + (count == 1 ? "" : "s") + " (1.." + count + ", or -1..-" + count + ")");
      }
      return index;
    }).toList();
  }
}
