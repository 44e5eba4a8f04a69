"""Files exchanged with other agencies (C06, the population register): exports of the store."""
