-- Map viewports (bbox) are longitude/latitude rectangles: compare them as planar geometry, which
-- also accepts boxes wider than half the globe (a geography polygon would have antipodal edges).
CREATE INDEX assets_geom_planar_gist ON assets USING gist ((geom::geometry));
