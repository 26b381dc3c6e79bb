package dev.pretext.runtime.report;

/**
 * The part of an entry's file names that names it ({@code encoders/STEM-seedS.fb},
 * {@code work/STEM-seedS}, {@code figures/STEM-seedS-pca.png}, {@code visuals/STEM-seedS}): the
 * entry's name, with the characters of a sweep point's name that a shell reads as a pattern
 * ({@code [ ]}) or that separate a path mapped to plain ones, so that
 * {@code simclr[temperature=0.2,batch-size=128]} is filed as
 * {@code simclr_temperature-0.2_batch-size-128}. Results and reports show the name itself; a name
 * without these characters is its own stem, so earlier run folders keep their file names.
 */
public final class EntryFiles {

  private EntryFiles() {}

  /** The stem of {@code name}'s files. */
  public static String stem(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      switch (c) {
        case ']' -> {
          if (i < name.length() - 1) {
            sb.append('_');
          }
        }
        case '[', ',', '/', '\\' -> sb.append('_');
        case '=' -> sb.append('-');
        default -> sb.append(Character.isISOControl(c) ? '_' : c);
      }
    }
    return sb.toString();
  }

  /** {@code STEM-seedS}: an entry's files for one seed. */
  public static String of(String name, long seed) {
    return stem(name) + "-seed" + seed;
  }
}
