package dev.pretext.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretext.runtime.report.ResultEntry;

/** A result entry as the JSON results.json holds for it, there and back. */
final class EntryJson {

  // As ResultsWriter's: tolerant of fields it does not know.
  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private EntryJson() {}

  static String write(ResultEntry entry) {
    try {
      return JSON.writeValueAsString(entry);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("entry " + entry.name() + " cannot be written as JSON", e);
    }
  }

  static ResultEntry read(String json) {
    try {
      return JSON.readValue(json, ResultEntry.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an executor returned an entry that cannot be read: " + e.getOriginalMessage(), e);
    }
  }
}
