/** Sample sources and the sample value types shared by sources, captioners and the data pipeline. */
package dev.recap.api.data;
