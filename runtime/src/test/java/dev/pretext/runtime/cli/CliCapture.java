package dev.pretext.runtime.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs the command line in this JVM (plugins: the test class path's) with its output captured. */
final class CliCapture {

  private CliCapture() {}

  record Result(int code, String out, String err) {}

  static synchronized Result run(Path home, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      String[] all = new String[args.length + 2];
      all[0] = "--home";
      all[1] = home.toString();
      System.arraycopy(args, 0, all, 2, args.length);
      int code = PretextCli.execute(all);
      return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
