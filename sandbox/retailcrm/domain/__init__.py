"""Entity rules shared by the API handlers, the operator endpoints and the seed."""
