"""Save the account once, with the stock client's own call, in this (fresh) HOME."""

from common import MARKER, TOKEN, URL

from qiskit_ibm_runtime import QiskitRuntimeService

QiskitRuntimeService.save_account(channel="ibm_quantum", url=f"{URL}/api", token=TOKEN,
                                  set_as_default=True)
print(MARKER + "{}")
