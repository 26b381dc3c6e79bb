/**
 * The Pretext service-provider interface: what a plugin implements and what it receives.
 *
 * <p>A plugin jar registers one {@link dev.pretext.api.PretextPlugin} in
 * {@code META-INF/services/dev.pretext.api.PretextPlugin}, carries a descriptor at
 * {@value dev.pretext.api.PluginDescriptor#RESOURCE}, and ships its defaults in a
 * {@code reference.conf} under {@code pretext.<kind>.<type>} for each component it contributes.
 * The five component kinds are listed in {@link dev.pretext.api.ComponentKind}.
 */
package dev.pretext.api;
