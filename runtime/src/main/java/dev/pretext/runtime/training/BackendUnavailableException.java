package dev.pretext.runtime.training;

/**
 * The ND4J build chosen cannot run on this machine (no GPU for the CUDA build, no CPU build in a
 * CUDA distribution). The message is complete: what was looked for, what was found, what to do.
 */
public final class BackendUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public BackendUnavailableException(String message) {
    super(message);
  }
}
