DROP INDEX assets_geom_planar_gist;
