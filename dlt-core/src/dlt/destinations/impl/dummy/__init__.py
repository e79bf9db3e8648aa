"""The built-in `dummy` test destination: jobs load nothing and complete or fail as configured."""
