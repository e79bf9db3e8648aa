"""`dlt.common.storages`: dlt 1.31's home of the file helpers that scripts import from
`dlt.common.storages.fsspec_filesystem` (`FileItemDict`, `FileItem`, `glob_files`,
`fsspec_filesystem`); here they are the filesystem source plugin's (`dlt-source-filesystem`)."""
