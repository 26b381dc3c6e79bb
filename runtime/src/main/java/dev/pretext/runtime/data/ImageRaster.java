package dev.pretext.runtime.data;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * One decoded image as planar floats in [0, 1] ({@code C x H x W}, C = 1 or 3), with the few
 * operations the data loaders need: channel conversion, area-averaging downscale and crops. Kept
 * outside ND4J because images are decoded one at a time on the loading thread and only the final
 * patches or resized images are kept.
 *
 * @param channels 1 (gray) or 3 (R, G, B)
 * @param height pixels
 * @param width pixels
 * @param values {@code channels * height * width} values, channel after channel, row after row
 */
record ImageRaster(int channels, int height, int width, float[] values) {

  /** Rec. 601 luma weights: the usual RGB → grayscale conversion (PIL "L", torchvision). */
  static final float LUMA_R = 0.299f;
  static final float LUMA_G = 0.587f;
  static final float LUMA_B = 0.114f;

  ImageRaster {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    Objects.requireNonNull(values, "values");
    if (values.length != channels * height * width) {
      throw new IllegalArgumentException(values.length + " values for " + channels + "x" + height
          + "x" + width);
    }
  }

  /**
   * Decodes a PNG or JPEG (or anything else an installed ImageIO reader handles).
   *
   * @throws DatasetException naming the file if no reader accepts it or decoding fails
   */
  static ImageRaster read(Path file) {
    BufferedImage image;
    try {
      image = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      // ImageIO wraps corrupt data in IIOException and sometimes lets runtime exceptions escape.
      throw new DatasetException(file, "cannot decode the image: " + message(e), e);
    }
    if (image == null) {
      throw new DatasetException(file, "not an image format ImageIO can read (PNG and JPEG are)");
    }
    return of(image);
  }

  /**
   * The width and height from the file's header, without decoding the pixels.
   *
   * @throws DatasetException naming the file if the header cannot be read
   */
  static int[] size(Path file) {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new DatasetException(file, "cannot open");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new DatasetException(file, "not an image format ImageIO can read (PNG and JPEG are)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        return new int[] {reader.getWidth(0), reader.getHeight(0)};
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof DatasetException d) {
        throw d;
      }
      throw new DatasetException(file, "cannot read the image header: " + message(e), e);
    }
  }

  /** Converts a decoded image; alpha is ignored. */
  static ImageRaster of(BufferedImage image) {
    int h = image.getHeight();
    int w = image.getWidth();
    boolean gray = image.getColorModel().getNumColorComponents() == 1
        && !(image.getColorModel() instanceof IndexColorModel);
    if (gray) {
      // Read gray samples directly: getRGB would pass them through Java's linear gray colour
      // space and brighten them (a gray PNG value of 128 would come back near 186).
      Raster raster = image.getRaster();
      int bits = image.getColorModel().getComponentSize(0);
      float max = (float) ((1L << bits) - 1);
      float[] v = new float[h * w];
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          v[y * w + x] = Math.min(1f, row[x] / max);
        }
      }
      return new ImageRaster(1, h, w, v);
    }
    float[] v = new float[3 * h * w];
    int plane = h * w;
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int argb = row[x];
        int i = y * w + x;
        v[i] = ((argb >> 16) & 0xff) / 255f;
        v[plane + i] = ((argb >> 8) & 0xff) / 255f;
        v[2 * plane + i] = (argb & 0xff) / 255f;
      }
    }
    return new ImageRaster(3, h, w, v);
  }

  /** This image with {@code target} channels: gray is repeated into R, G, B; RGB becomes luma. */
  ImageRaster withChannels(int target) {
    if (target == channels) {
      return this;
    }
    int plane = height * width;
    if (target == 3) {
      float[] v = new float[3 * plane];
      for (int c = 0; c < 3; c++) {
        System.arraycopy(values, 0, v, c * plane, plane);
      }
      return new ImageRaster(3, height, width, v);
    }
    float[] v = new float[plane];
    for (int i = 0; i < plane; i++) {
      float luma = LUMA_R * values[i] + LUMA_G * values[plane + i] + LUMA_B * values[2 * plane + i];
      v[i] = Math.min(1f, Math.max(0f, luma));
    }
    return new ImageRaster(1, height, width, v);
  }

  /** The shorter of width and height. */
  int shortSide() {
    return Math.min(height, width);
  }

  /**
   * Shrinks the image so that its short side is {@code side} pixels (never enlarges), averaging
   * every source pixel's exact area share into the target pixels, so fine detail becomes the
   * right mean colour instead of aliasing.
   */
  ImageRaster downscaleShortSide(int side) {
    if (shortSide() <= side) {
      return this;
    }
    double factor = (double) side / shortSide();
    int newH = height == shortSide() ? side : Math.max(side, (int) Math.round(height * factor));
    int newW = width == shortSide() ? side : Math.max(side, (int) Math.round(width * factor));
    return resize(newH, newW);
  }

  /** Area-averaging resize to {@code newH x newW}, both at most the current size. */
  ImageRaster resize(int newH, int newW) {
    float[] horizontal = new float[channels * height * newW];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < height; y++) {
        resample(values, (c * height + y) * width, 1, width, horizontal, (c * height + y) * newW, 1,
            newW);
      }
    }
    float[] out = new float[channels * newH * newW];
    for (int c = 0; c < channels; c++) {
      for (int x = 0; x < newW; x++) {
        resample(horizontal, c * height * newW + x, newW, height, out, c * newH * newW + x, newW,
            newH);
      }
    }
    return new ImageRaster(channels, newH, newW, out);
  }

  /**
   * Bilinear resize to {@code newH x newW}, both at least the current size, for enlarging (where
   * area averaging would repeat pixels in blocks). Pixel centres are aligned as in PIL and
   * torchvision ({@code align_corners = false}): target pixel {@code j} samples the source at
   * {@code (j + 0.5) * n / m - 0.5}, clamped to the edge pixels.
   */
  ImageRaster enlarge(int newH, int newW) {
    if (newH < height || newW < width) {
      throw new IllegalArgumentException("enlarge " + width + "x" + height + " to " + newW + "x"
          + newH + " would shrink it");
    }
    float[] horizontal = new float[channels * height * newW];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < height; y++) {
        interpolate(values, (c * height + y) * width, 1, width, horizontal,
            (c * height + y) * newW, 1, newW);
      }
    }
    float[] out = new float[channels * newH * newW];
    for (int c = 0; c < channels; c++) {
      for (int x = 0; x < newW; x++) {
        interpolate(horizontal, c * height * newW + x, newW, height, out, c * newH * newW + x,
            newW, newH);
      }
    }
    return new ImageRaster(channels, newH, newW, out);
  }

  /** Linearly interpolates one line of {@code n} samples into {@code m >= n} samples. */
  private static void interpolate(float[] in, int inStart, int inStride, int n, float[] out,
      int outStart, int outStride, int m) {
    double scale = (double) n / m;
    for (int j = 0; j < m; j++) {
      double at = Math.min(n - 1, Math.max(0, (j + 0.5) * scale - 0.5));
      int i0 = (int) Math.floor(at);
      int i1 = Math.min(n - 1, i0 + 1);
      double t = at - i0;
      double v = (1 - t) * in[inStart + i0 * inStride] + t * in[inStart + i1 * inStride];
      out[outStart + j * outStride] = (float) v;
    }
  }

  /** Box-filters one line of {@code n} samples into {@code m <= n} samples. */
  private static void resample(float[] in, int inStart, int inStride, int n, float[] out,
      int outStart, int outStride, int m) {
    double scale = (double) n / m;
    for (int j = 0; j < m; j++) {
      double from = j * scale;
      double to = from + scale;
      double sum = 0;
      int first = (int) Math.floor(from);
      int last = Math.min(n - 1, (int) Math.ceil(to) - 1);
      for (int i = first; i <= last; i++) {
        double overlap = Math.min(to, i + 1) - Math.max(from, i);
        if (overlap > 0) {
          sum += overlap * in[inStart + i * inStride];
        }
      }
      out[outStart + j * outStride] = (float) Math.min(1.0, Math.max(0.0, sum / scale));
    }
  }

  /** The {@code size x size} square whose top-left corner is at ({@code x}, {@code y}). */
  ImageRaster crop(int x, int y, int size) {
    if (x < 0 || y < 0 || x + size > width || y + size > height) {
      throw new IllegalArgumentException("crop " + size + " at " + x + "," + y + " outside "
          + width + "x" + height);
    }
    float[] v = new float[channels * size * size];
    for (int c = 0; c < channels; c++) {
      for (int r = 0; r < size; r++) {
        System.arraycopy(values, (c * height + y + r) * width + x, v, (c * size + r) * size, size);
      }
    }
    return new ImageRaster(channels, size, size, v);
  }

  /** The central square, after shrinking the short side to {@code size}. */
  ImageRaster centreSquare(int size) {
    ImageRaster small = downscaleShortSide(size);
    int side = small.shortSide();
    return small.crop((small.width - side) / 2, (small.height - side) / 2, side);
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
