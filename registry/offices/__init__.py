"""The office register: terms of office of elected akims, their accountability to the maslikhat,
early termination and the by-elections that follow (services in `services`, errors in `errors`)."""
