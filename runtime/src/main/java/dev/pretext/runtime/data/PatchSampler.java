package dev.pretext.runtime.data;

import dev.pretext.api.ImageShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Cuts random square patches out of the (large) images of a folder, for pretraining on photos
 * whose size and aspect differ.
 *
 * <p>How: the image headers are read first (cheaply) to know which files are usable; the usable
 * images are shuffled with the seed and some of them (in proportion to the held-out share of all
 * patches, at least two when there are six or more) are set aside for the held-out patches, so
 * held-out quality is measured on pictures the method never saw (only a folder of one image shares
 * it, with a warning). Then each image is decoded on its own, shrunk so that its short side is
 * {@code shortSide} pixels (area averaging; never enlarged) — at full resolution a 28-pixel patch
 * of a 1920 x 1080 photo is nearly one flat colour — and its share of the patches is cut at
 * uniformly random positions. Only one full-resolution image is in memory at a time. An image
 * that fails to decode passes its share on to the next ones.
 */
public final class PatchSampler {

  /**
   * What to cut.
   *
   * @param patchSize side of a square patch, pixels
   * @param patches number of training patches
   * @param heldOut number of held-out patches (0 = none)
   * @param shortSide images are shrunk so that their short side is this many pixels before
   *     cutting; 0 = {@link #AUTO_SHORT_SIDE_FACTOR} x {@code patchSize}
   */
  public record Settings(int patchSize, int patches, int heldOut, int shortSide) {

    public Settings {
      if (patchSize < 1 || patches < 1 || heldOut < 0 || shortSide < 0
          || shortSide > 0 && shortSide < patchSize) {
        throw new IllegalArgumentException("bad patch settings: patch-size " + patchSize
            + ", patches " + patches + ", held-out " + heldOut + ", short-side " + shortSide);
      }
    }

    /** The short side images are shrunk to. */
    public int effectiveShortSide() {
      return shortSide > 0 ? shortSide : AUTO_SHORT_SIDE_FACTOR * patchSize;
    }
  }

  /**
   * With {@code short-side = 0} images are shrunk to 4 patch sides: a patch then covers a quarter
   * of the picture's height — an object part with its colours and edges, like a Fashion-MNIST
   * item fills its 28 x 28 frame, rather than a flat bit of texture.
   */
  public static final int AUTO_SHORT_SIDE_FACTOR = 4;

  private PatchSampler() {}

  /**
   * Cuts the patches of {@code root}'s images.
   *
   * @param channels 1 (luma) or 3 (RGB)
   * @param seed drives the choice of held-out images and every patch position
   * @param warn receives warnings (skipped files, ignored files, a shared held-out image)
   */
  public static PretrainingData sample(Path root, Settings settings, int channels, long seed,
      Consumer<String> warn) {
    ImageFolder.Listing listing = ImageFolder.list(root);
    ImageFolder.warnIgnored(listing, warn);
    ImageFolder.Skipped skipped = new ImageFolder.Skipped(root, warn);
    List<Path> usable = new ArrayList<>();
    for (Path file : listing.images()) {
      try {
        int[] size = ImageRaster.size(file);
        if (Math.min(size[0], size[1]) < settings.patchSize()) {
          skipped.add(new DatasetException(file, "is " + size[0] + "x" + size[1]
              + ", smaller than patch-size " + settings.patchSize()));
        } else {
          usable.add(file);
        }
      } catch (DatasetException e) {
        skipped.add(e);
      }
    }
    skipped.finish(listing.images().size(), usable.size());

    List<Path> shuffled = new ArrayList<>(usable);
    Collections.shuffle(shuffled, new Random(seed));
    int n = shuffled.size();
    int heldOutImages = 0;
    List<Path> trainFiles = usable;
    List<Path> heldOutFiles = List.of();
    if (settings.heldOut() > 0) {
      if (n == 1) {
        warn.accept(root + ": only one usable image, so the held-out patches come from the"
            + " training image too; held-out quality is then not independent");
        heldOutFiles = usable;
      } else {
        double share = (double) settings.heldOut() / (settings.patches() + settings.heldOut());
        // At least two pictures when there are enough, so held-out quality is not one scene's.
        heldOutImages = (int) Math.min(n - 1, Math.max(n >= 6 ? 2 : 1, Math.round(n * share)));
        heldOutFiles = sortedLike(usable, shuffled.subList(0, heldOutImages));
        trainFiles = sortedLike(usable, shuffled.subList(heldOutImages, n));
      }
    }
    ImageShape shape = new ImageShape(channels, settings.patchSize(), settings.patchSize());
    ImageSet train = cut(root, trainFiles, settings.patches(), settings, channels,
        new Random(seed * 0x9E3779B97F4A7C15L + 1), warn)
        .toSet(shape, "patches of image folder " + root);
    ImageSet heldOut = heldOutFiles.isEmpty() ? null
        : cut(root, heldOutFiles, settings.heldOut(), settings, channels,
            new Random(seed * 0x9E3779B97F4A7C15L + 2), warn)
            .toSet(shape, "held-out patches of image folder " + root);
    String description = String.format(java.util.Locale.ROOT,
        "image folder %s: %d patches %dx%d (%s) from %d images (short side shrunk to %d where"
            + " larger)%s", root,
        settings.patches(), settings.patchSize(), settings.patchSize(),
        channels == 1 ? "luma" : "RGB", trainFiles.size(), settings.effectiveShortSide(),
        heldOut == null ? ", none held out" : ", " + settings.heldOut() + " held out from "
            + (heldOutImages == 0 ? "the same image" : heldOutImages + " other images"));
    return new PretrainingData(train, heldOut, description);
  }

  /** Patches cut so far: a flat array filled in order. */
  private record Cut(float[] pixels, int count) {
    ImageSet toSet(ImageShape shape, String description) {
      return ImageSet.fromFloats(pixels, count, shape, null, List.of(), description);
    }
  }

  /**
   * Cuts {@code total} patches from {@code files}, each image taking an equal share of what is
   * left; if images fail to decode, the decodable ones are visited again for the remainder.
   */
  private static Cut cut(Path root, List<Path> files, int total, Settings settings, int channels,
      Random random, Consumer<String> warn) {
    int p = settings.patchSize();
    int size = channels * p * p;
    float[] pixels = new float[Math.multiplyExact(total, size)];
    int done = 0;
    List<Path> good = new ArrayList<>();
    ImageFolder.Skipped skipped = new ImageFolder.Skipped(root, warn);
    for (int i = 0; i < files.size() && done < total; i++) {
      int left = files.size() - i;
      int quota = (total - done + left - 1) / left;
      ImageRaster image;
      try {
        image = prepare(files.get(i), settings, channels);
      } catch (DatasetException e) {
        skipped.add(e);
        continue;
      }
      good.add(files.get(i));
      done = cutFrom(image, quota, p, random, pixels, done);
    }
    skipped.finish(files.size(), good.size());
    for (int i = 0; done < total; i = (i + 1) % good.size()) {
      int quota = (total - done + good.size() - 1) / good.size();
      done = cutFrom(prepare(good.get(i), settings, channels), quota, p, random, pixels, done);
    }
    // Mixed order, so the first few held-out patches (the ones drawn in visuals) span the images.
    float[] swap = new float[size];
    for (int i = total - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      System.arraycopy(pixels, i * size, swap, 0, size);
      System.arraycopy(pixels, j * size, pixels, i * size, size);
      System.arraycopy(swap, 0, pixels, j * size, size);
    }
    return new Cut(pixels, total);
  }

  private static ImageRaster prepare(Path file, Settings settings, int channels) {
    return ImageRaster.read(file).downscaleShortSide(settings.effectiveShortSide())
        .withChannels(channels);
  }

  private static int cutFrom(ImageRaster image, int count, int p, Random random, float[] out,
      int at) {
    int size = image.channels() * p * p;
    int end = Math.min(out.length / size, at + count);
    for (int k = at; k < end; k++) {
      int x = random.nextInt(image.width() - p + 1);
      int y = random.nextInt(image.height() - p + 1);
      System.arraycopy(image.crop(x, y, p).values(), 0, out, k * size, size);
    }
    return end;
  }

  private static List<Path> sortedLike(List<Path> order, List<Path> subset) {
    List<Path> copy = new ArrayList<>(subset);
    copy.sort((a, b) -> Integer.compare(order.indexOf(a), order.indexOf(b)));
    return copy;
  }
}
