"""do_* functions: the only code that changes state. Each runs inside the caller's transaction,
writes its rows and event rows, and leaves the live push to run after commit."""
