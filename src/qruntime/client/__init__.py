"""The qruntime client: the Qiskit Runtime API over an embedded or remote runtime."""
