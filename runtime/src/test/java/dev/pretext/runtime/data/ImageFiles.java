package dev.pretext.runtime.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntBinaryOperator;
import javax.imageio.ImageIO;

/** Writes small PNG and JPEG fixtures for the image-folder tests. */
public final class ImageFiles {

  private ImageFiles() {}

  /** An RGB image whose pixel (x, y) is {@code rgb.applyAsInt(x, y)} (0xRRGGBB). */
  public static Path rgb(Path file, int width, int height, IntBinaryOperator rgb) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, rgb.applyAsInt(x, y));
      }
    }
    return write(file, image);
  }

  /** A flat RGB image of one colour. */
  public static Path flat(Path file, int width, int height, int rgb) throws IOException {
    return rgb(file, width, height, (x, y) -> rgb);
  }

  /** An 8-bit grayscale PNG whose every pixel is {@code value}. */
  public static Path gray(Path file, int width, int height, int value) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.getRaster().setSample(x, y, 0, value);
      }
    }
    return write(file, image);
  }

  /** A file that claims to be an image but holds garbage after a valid-looking signature. */
  public static Path corrupt(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] bytes = new byte[200];
    byte[] pngSignature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    System.arraycopy(pngSignature, 0, bytes, 0, pngSignature.length);
    for (int i = pngSignature.length; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 13);
    }
    return Files.write(file, bytes);
  }

  private static Path write(Path file, BufferedImage image) throws IOException {
    Files.createDirectories(file.getParent());
    String name = file.getFileName().toString();
    String format = name.endsWith(".png") ? "png" : "jpg";
    if (!ImageIO.write(image, format, file.toFile())) {
      throw new IOException("no ImageIO writer for " + format);
    }
    return file;
  }
}
