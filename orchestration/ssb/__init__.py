"""SSB and the other catalogue inputs: one raw asset per catalogue entry, and the sensor that asks SSB for new data."""
