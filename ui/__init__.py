"""The Qt application. Calls into ``fieldwork``; holds no business rule of its own."""
