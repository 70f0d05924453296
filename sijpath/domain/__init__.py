"""The typed, frozen model of one patient's SI-joint episode of care, and the pure computations over it."""
